"""The one error a loader raises: it names the file and every bad field."""

from __future__ import annotations

import json
import re
from typing import Any

import attrs


def shown(value: Any) -> str:
    """A value as a problem message quotes it: text in JSON's quotes, anything else as Python writes it."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


_CONTROL = "\x00-\x1f\x7f-\x9f"
_CONTROL_BUT_LINES_AND_TABS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_LONE_SURROGATES = "\ud800-\udfff"
#: Control characters a text may not hold (lines and tabs are its own): a terminal would act on
#: them (``\x1b[…``), and XML and Excel cannot hold them. The loaders refuse them.
CONTROL_IN_TEXT = re.compile(f"[{_CONTROL_BUT_LINES_AND_TABS}]")
#: Half of a character (a lone surrogate): no UTF-8 text, and so no report, can hold one. File
#: loaders refuse it as they parse; plain data given to the engine is refused as it is loaded.
LONE_SURROGATE = re.compile(f"[{_LONE_SURROGATES}]")
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
        self.profile = profile
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(f"{self.file}: {p}" for p in self.problems)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its fields, so it crosses to and from a worker process (pickle); the default
        # would call __init__ with the message alone.
        return type(self), (self.file, list(self.problems), self.profile)
