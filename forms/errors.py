"""The one error a loader raises: it names the file and every bad field."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import attrs


def shown(value: Any) -> str:
    """A value as a problem message quotes it: text in JSON's quotes, a number read from a file in
    its digits (``0.0000001``, not ``Decimal('1E-7')`` or a float's ``1e-07``; with an exponent, as
    ``e``, where the digits would run to a row of zeros: ``1.0e-27``), a date or a time (YAML reads
    ``2023-05-01`` so, Excel a time of day) in ISO form and named (``2023-05-01 (a date)``), anything
    else as Python writes it."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        in_digits = value.is_finite() and -_SHOWN_ZEROS <= value.adjusted() <= _SHOWN_ZEROS
        return f"{value:f}" if in_digits else str(value).replace("E", "e")
    if isinstance(value, datetime):  # before date: a datetime is one
        return f"{value.isoformat(sep=' ')} (a date and time)"
    if isinstance(value, date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, time):
        return f"{value.isoformat()} (a time)"
    return repr(value)


#: How many zeros :func:`shown` writes before or after a number's digits, at most.
_SHOWN_ZEROS = 12


_CONTROL = "\x00-\x1f\x7f-\x9f"
_CONTROL_BUT_LINES_AND_TABS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_LONE_SURROGATES = "\ud800-\udfff"
#: Control characters a text may not hold (lines and tabs are its own): a terminal would act on
#: them (``\x1b[…``), and XML and Excel cannot hold them. The loaders refuse them.
CONTROL_IN_TEXT = re.compile(f"[{_CONTROL_BUT_LINES_AND_TABS}]")
#: Half of a character (a lone surrogate): no UTF-8 text, and so no report, can hold one. File
#: loaders refuse it as they parse; plain data given to the engine is refused as it is loaded.
LONE_SURROGATE = re.compile(f"[{_LONE_SURROGATES}]")
#: Noncharacters: U+FDD0–U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF,
#: U+1FFFE …). Unicode keeps them for a program's own use, never for text it exchanges, and XML
#: cannot hold U+FFFE and U+FFFF even as references (an .xlsx report with one will not open). The
#: loaders refuse them in any text.
NONCHARACTERS = (*range(0xFDD0, 0xFDF0),
                 *(plane + last for plane in range(0, 0x110000, 0x10000) for last in (0xFFFE, 0xFFFF)))
NONCHARACTER = re.compile("[" + "".join(map(chr, NONCHARACTERS)) + "]")
#: What no report shows as it is: control characters (a name's line break, a terminal's escape
#: sequences) and the lone surrogates a file name's undecodable bytes are read as
#: (``surrogateescape``; no UTF-8 text can hold them).
_UNSHOWABLE_IN_NAME = re.compile(f"[{_CONTROL}{_LONE_SURROGATES}]")
#: The same, in a report's text, where lines and tabs are its own.
_UNSHOWABLE_IN_TEXT = re.compile(f"[{_CONTROL_BUT_LINES_AND_TABS}{_LONE_SURROGATES}]")


def _escape(match: re.Match[str]) -> str:
    """``\\xNN`` for a control character, and for a byte that was not UTF-8 (``\\udcNN`` read
    with ``surrogateescape``) the byte itself; ``\\uNNNN`` for any other lone surrogate."""
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


#: Unicode's Default_Ignorable_Code_Point characters, as ranges of code points: what a renderer
#: shows nothing for where it has no glyph (U+200B, U+3164 HANGUL FILLER, U+034F COMBINING GRAPHEME
#: JOINER, the variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF …). From the Unicode Character
#: Database's DerivedCoreProperties.txt (https://www.unicode.org/Public/UCD/latest/ucd/), Unicode
#: 15.1, unchanged since 14.0 (which added U+180F); adjacent entries merged. Python's unicodedata
#: has no accessor for the property.
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)


def code_ranges(codes: Iterable[int]) -> list[tuple[int, int]]:
    """Ascending code points as ranges of consecutive ones."""
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


def _class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(chr(lo) if lo == hi else f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges)


_DEFAULT_IGNORABLE = re.compile(f"[{_class(DEFAULT_IGNORABLE)}]")
#: Those of them str.isprintable() calls printable (the letters and marks among them: U+3164,
#: U+115F, U+FFA0, U+034F, the variation selectors …): a name that is printable is searched for
#: these only. As ranges: re tests a class of some 280 single characters one by one (2.1 µs for a
#: name of three, against 0.2).
_PRINTABLE_IGNORABLE = re.compile("[" + _class(code_ranges(
    code for lo, hi in DEFAULT_IGNORABLE for code in range(lo, hi + 1) if chr(code).isprintable())) + "]")


def hidden_in_name(char: str) -> bool:
    """Whether ``char`` shows nothing, or moves what is around it, so that a name holding it looks
    like another name it is not: a format character (category Cf: U+200B, U+FEFF, U+202E …), a
    line or paragraph separator (U+2028, U+2029), a default-ignorable character (U+3164, U+034F,
    a variation selector …: :data:`DEFAULT_IGNORABLE`), a noncharacter. Names are matched by their
    characters (:func:`forms.plan.name_key` sets aside only whitespace and the width of brackets)."""
    return (unicodedata.category(char) in ("Cf", "Zl", "Zp") or _DEFAULT_IGNORABLE.match(char) is not None
            or NONCHARACTER.match(char) is not None)


def hidden_in(name: str) -> list[str]:
    """The characters of ``name`` that :func:`hidden_in_name` says are hidden, in order. A printable
    name (nearly every name: one test in C) is searched only for the default-ignorable characters
    that are printable."""
    if name.isprintable() and not _PRINTABLE_IGNORABLE.search(name):
        return []
    return [c for c in name if hidden_in_name(c)]


def _char_name(char: str) -> str:
    return unicodedata.name(char, "a noncharacter" if NONCHARACTER.match(char) else "unassigned")


def _code(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def shown_escaping(value: str, chars: Iterable[str]) -> str:
    """``value`` as :func:`shown` quotes it, with each of ``chars`` written as its escape
    (``"城桥镇\\u200b"``) and then named: an invisible character is shown where it is."""
    chars = sorted(set(chars))
    text = "".join(_code(c) if c in chars else c for c in shown(value))  # JSON leaves them as they are
    named = ", ".join(f"U+{ord(c):04X} {_char_name(c)}" for c in chars)
    return f"{text} ({named})"


def shown_name(name: str) -> str:
    """A file's name as every report and message writes it: as it is, except that a byte that is
    not UTF-8 and a control character are written as ``\\xNN`` (``bad\\xff.yaml``), so that
    each format can hold it and a terminal shows it as it is written."""
    if name.isprintable():  # nearly every name: one test in C
        return name
    return _UNSHOWABLE_IN_NAME.sub(_escape, name)


def showable_text(text: str) -> str:
    """A report's text with any control character other than line breaks and tabs, and any lone
    surrogate, written as in :func:`shown_name`: the loaders refuse them in a document's text, so
    this is a last guard for the writers (a terminal's escape sequences, XML's forbidden characters)."""
    return _UNSHOWABLE_IN_TEXT.sub(_escape, text)


def _writable(text: str) -> str:
    return LONE_SURROGATE.sub(_escape, text) if not text.isprintable() else text


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (a field path such as ``items[3].monthly[7]``) and what.
    Half a character (a lone surrogate) in either is written as its escape, ``\\ud800``: a key or
    a value of plain data may hold one, and the problem must still be printable."""

    path: str = attrs.field(converter=_writable)
    message: str = attrs.field(converter=_writable)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class LoadError(Exception):
    """An input file could not be turned into a document. Carries every problem found and, when the
    input was read far enough to say, the profile it names: a check then knows which campaign's
    documents it might have been compared with."""

    def __init__(self, file: str, problems: list[Problem], profile: str | None = None) -> None:
        self.file = file
        self.problems = tuple(problems)
        if not self.problems:  # an error with nothing to say is a bug where it is raised, not a message for the user
            raise ValueError(f"a LoadError for {file} names no problem")
        self.profile = profile
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.file}: {p}" for p in self.problems)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its fields, so it crosses to and from a worker process (pickle); the default
        # would call __init__ with the message alone.
        return type(self), (self.file, list(self.problems), self.profile)
