"""Safe parsing of YAML and JSON text: size-limited, no aliases, no duplicate keys."""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import os
import re
import stat
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from forms.errors import LoadError, Problem

#: Largest input file accepted, in bytes. A district plan with its full unit list is ~40 KB.
MAX_FILE_BYTES = 4 * 1024 * 1024


#: Deepest nesting of lists and mappings read. zhifa's own files nest nine levels at most (the
#: rulebook); a file nested thousands deep would otherwise exhaust Python's recursion (a traceback,
#: not a LoadError).
MAX_DEPTH = 64


class _Strict(yaml.composer.Composer, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """Nodes composed and built as PyYAML's safe loader does, refusing aliases (no alias bombs),
    duplicate keys (nothing silently lost) and nesting deeper than MAX_DEPTH. The text is scanned
    and parsed by a parser class put before this one."""

    def __init__(self) -> None:
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.depth = 0

    if TYPE_CHECKING:  # the parser's, put before this class
        def check_event(self, *choices: type[yaml.Event]) -> bool: ...
        def peek_event(self) -> Any: ...
        def dispose(self) -> None: ...

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in zhifa documents", event.start_mark
            )
        if not self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"lists and mappings nested more than {MAX_DEPTH} deep", self.peek_event().start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict, set)):  # `[a]: 1` or `? {a: 1}`: no document field is named so
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a name, not a list, mapping or set", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class NotADate(str):
    """An unquoted YAML scalar written as a date that does not exist (``2023-02-29``), kept as its
    text so that the field holding it names it; ``reason`` says why it is none. A field of text
    refuses it as a date field does: unquoted, it was meant as a date."""

    reason: str

    def __new__(cls, text: str, reason: str) -> NotADate:
        made = super().__new__(cls, text)
        made.reason = reason
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (str(self), self.reason)


def _timestamp(loader: Any, node: Any) -> Any:
    """PyYAML's own date construction; a date that does not exist (2023-06-31) is kept as a
    :class:`NotADate`, refused by the converter under its field."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        return NotADate(node.value, str(exc))


_Strict.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

#: Numbers as people write them. YAML 1.1 also reads 010 as octal 8, 0x10 as 16, 1:30 as 90 (base
#: 60) and 1_0 as 10: a figure written so would be checked as another number, so it is refused.
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


def _not_plain(loader: Any, node: Any, read: Callable[[Any, Any], Any]) -> yaml.constructor.ConstructorError:
    try:
        reading = f" (YAML would read it as {read(loader, node)!r})"
    except ValueError:
        reading = ""
    return yaml.constructor.ConstructorError(
        None, None, f"{node.value} is not a number in plain decimal digits{reading}; write it so, or quote it as text",
        node.start_mark)


def _int(loader: Any, node: Any) -> int:
    text = node.value
    if not _PLAIN_INT.fullmatch(text):
        raise _not_plain(loader, node, yaml.constructor.SafeConstructor.construct_yaml_int)
    try:
        return int(text)
    except ValueError:  # beyond the digits Python converts (4 300)
        raise yaml.constructor.ConstructorError(
            None, None, f"a number of {len(text)} digits is too long", node.start_mark) from None


def _float(loader: Any, node: Any) -> Decimal | float:
    """A number with a point or an exponent, read exactly as written (``0.1``, ``68.20``,
    ``1.0e-400``): as a float it would be rounded to binary before a loader could see its places
    (``2.0000000000000001`` read as 2, ``1.0e-400`` as 0). NaN and infinity stay floats, which
    the loaders refuse."""
    text = node.value
    if not _PLAIN_FLOAT.fullmatch(text):
        raise _not_plain(loader, node, yaml.constructor.SafeConstructor.construct_yaml_float)
    if text[-1].isdigit() or text[-1] == ".":
        try:
            return Decimal(text)
        except InvalidOperation:  # an exponent beyond what a Decimal holds (±999 999 999 999 999 999)
            raise yaml.constructor.ConstructorError(
                None, None, f"the number {_cut(text)} is out of range", node.start_mark) from None
    value: float = yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    return value


def _bool(loader: Any, node: Any) -> bool:
    """true and false; YAML 1.1 also reads yes, no, on and off so, and a key ``no:`` (a key unit's
    number) would become ``False``."""
    value: bool = yaml.constructor.SafeConstructor.construct_yaml_bool(loader, node)
    if node.value.lower() not in ("true", "false"):
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value} is read by YAML as {str(value).lower()}; write true or false, or quote it "
                        f"as text ('{node.value}')", node.start_mark)
    return value


_Strict.add_constructor("tag:yaml.org,2002:bool", _bool)
_Strict.add_constructor("tag:yaml.org,2002:int", _int)
_Strict.add_constructor("tag:yaml.org,2002:float", _float)


class _PythonLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _Strict):
    """The strict loader with PyYAML's pure-Python scanner and parser."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Strict.__init__(self)


_StrictLoader: Callable[[str], _Strict] = _PythonLoader
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _LibyamlLoader(_Strict, CParser):
        """The strict loader with libyaml's scanner and parser, where PyYAML was built with it: the
        rulebook and plans load about twice as fast (its pure-Python scanner took most of a cold
        start's reading). Composing stays in Python (:class:`_Strict` before ``CParser``), so every
        alias is seen and refused."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Strict.__init__(self)

    _StrictLoader = _LibyamlLoader


def _read_yaml(text: str, loader: Callable[[str], _Strict] = _StrictLoader) -> Any:
    """One YAML document's data, read by the strict loader (raises ``yaml.YAMLError``)."""
    reading = loader(text)
    try:
        return reading.get_single_data()
    finally:
        reading.dispose()


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    """Where and what: the line and column, or the end of the file (a truncated file; libyaml would
    name the line after the last), the problem, and what was being read, from where."""
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        where = ""
    elif mark.index >= len(text):
        lines = text.count("\n") + (not text.endswith("\n"))
        where = f" at the end of the file (line {lines})"
    else:
        where = f" at line {mark.line + 1} column {mark.column + 1}"
    problem = getattr(exc, "problem", None) or str(exc)
    if "maximum nesting depth" in problem:  # libyaml's own limit (PyYAML ≥ 6.0.4), above MAX_DEPTH
        problem = f"lists and mappings nested more than {MAX_DEPTH} deep"
    context, begun = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and begun is not None:
        problem += f" ({context} begun at line {begun.line + 1} column {begun.column + 1})"
    return f"{where}: {problem}"


def _at(text: str, offset: int) -> str:
    """Where ``offset`` of JSON text stands, as a problem says it (``at line 3 column 7``), as
    json's own errors and YAML's reader give it."""
    line, column = text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    return f"at line {line} column {column}"


def _cut(text: str) -> str:
    """A number as a problem quotes it: its first 20 characters."""
    return text if len(text) <= 20 else f"{text[:20]}…"


class _OutOfRange(ValueError):
    """A JSON number with an exponent beyond what a Decimal holds."""

    def __init__(self, number: str) -> None:
        self.number = number
        super().__init__(number)


def _json_decimal(text: str) -> Decimal:
    """A JSON number with a point or an exponent, exactly as written (YAML's: :func:`_float`)."""
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _OutOfRange(text) from None


def _out_of_range(exc: _OutOfRange, text: str) -> str:
    """Where in ``text`` the number ``exc`` names stands (its first place as a number, not in a string)."""
    found = re.search(rf"(?<![\w.\"+-]){re.escape(exc.number)}(?![\w.])", text)
    where = f" {_at(text, found.start())}" if found is not None else ""
    return f"invalid JSON{where}: the number {_cut(exc.number)} is out of range"


class _RepeatedKey(ValueError):
    """A JSON object names a key twice."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refused if a key repeats (``dict`` would keep the last silently).
    Built by ``dict`` and the keys walked only when some repeat: a walk per object in Python was a
    quarter of reading a form."""
    result = dict(pairs)
    if len(result) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _repeated_key(text: str) -> Problem | None:
    """Where JSON text first repeats a key: the key's field path (``items[5].planned``), line and
    column. The objects passed to ``object_pairs_hook`` do not say where they were, so the text is
    read again by json's pure-Python scanner, each object noting where its keys begin; only a file
    refused for a repeat pays for it. None if the text cannot be read so (a later error)."""
    repeats: list[tuple[int, str, dict[str, Any]]] = []  # where, which key, the object (kept: its id stays its own)

    def parse_object(s_and_end: tuple[str, int], strict: bool, scan_once: Callable[[str, int], tuple[Any, int]],
                     object_hook: Any, object_pairs_hook: Any, memo: dict[str, str]) -> tuple[dict[str, Any], int]:
        source, begun = s_and_end
        key_after = [begun]  # each key is the first '"' after the "{", then after the value before it

        def scan_value(string: str, index: int) -> tuple[Any, int]:
            value, end = scan_once(string, index)
            key_after.append(end)
            return value, end

        def note_repeat(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            result = dict(pairs)
            if len(result) < len(pairs):
                seen: set[str] = set()
                for (key, _), after in zip(pairs, key_after, strict=False):
                    if key in seen:
                        repeats.append((source.index('"', after), key, result))
                        break
                    seen.add(key)
            return result

        found: tuple[dict[str, Any], int] = json.decoder.JSONObject(  # type: ignore[attr-defined]
            s_and_end, strict, scan_value, object_hook, note_repeat, memo)
        return found

    decoder = json.JSONDecoder(parse_float=_json_decimal)
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        data = decoder.decode(text)
    except (ValueError, ArithmeticError, RecursionError):  # what the first reading stopped before
        return None
    if not repeats:
        return None
    offset, key, holder = min(repeats, key=lambda r: r[0])
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if value is holder:
            return Problem(f"{path}.{key}" if path else key,
                           f"invalid JSON {_at(text, offset)}: duplicate key {key!r}")
        if isinstance(value, dict):
            pending.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, list):
            pending.extend((f"{path}[{k}]", v) for k, v in enumerate(value))
    # The object was itself a value repeated, and lost to the one after it: where, without a path.
    return Problem("", f"invalid JSON {_at(text, offset)}: duplicate key {key!r}")


#: ``\uD800``–``\uDFFF`` in JSON text: half of a character written as a pair of escapes, or on its own.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _no_lone_surrogates(name: str, data: Any) -> None:
    """Refuse JSON text holding half a character (a lone ``\uD800``): no text can be written with
    one, so its report could not be either. YAML readers refuse it themselves."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{path}.{key}" if path else str(key), v) for key, v in value.items())
            pending.extend((path or "(a key)", key) for key in value)
        elif isinstance(value, list):
            pending.extend((f"{path}[{k}]", v) for k, v in enumerate(value))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise LoadError(name, [Problem(path, f"invalid JSON text: \\u{ord(value[exc.start]):04x} is half "
                                                     f"of a character (a lone surrogate)")]) from None


def _json_value_problem(exc: ValueError, text: str) -> str:
    """What a ValueError raised while JSON was parsed says, and where: an integer longer than Python
    converts (``sys.get_int_max_str_digits()``) at its line and column, as YAML's reader gives it."""
    limit = sys.get_int_max_str_digits()
    if limit and "integer string conversion" in str(exc):
        found = re.search(f"[0-9]{{{limit + 1},}}", text)
        if found is not None:
            start = found.start() - (found.start() > 0 and text[found.start() - 1] == "-")
            return f"invalid JSON {_at(text, start)}: a number of {len(found.group())} digits is too long"
    return f"invalid JSON: {exc}"


def _not_there(name: str) -> LoadError | None:
    """The error for a path that names nothing at all (a mistyped file or folder), else None."""
    if os.path.lexists(name):
        return None
    return LoadError(name, [Problem("", "no such file or folder")])


_KIND_OF_FILE = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
                 (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes, or :class:`LoadError` if it cannot be read, is not a regular file (after
    following links) or is over MAX_FILE_BYTES.

    Opened without waiting (a named pipe with no writer would otherwise hold the check for ever),
    then refused unless it is a regular file. The size is taken from the opened file, and the read
    is bounded whatever the size said: a file that grows after it is measured is never read past
    the limit. Unbuffered, in reads of the size measured: by the operating system's own calls, with
    no file object, which took half the time of reading the small files zhifa reads."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                kind = next((kind for test, kind in _KIND_OF_FILE if test(status.st_mode)), "not a file")
                raise LoadError(name, [Problem("", f"not a regular file ({kind}); give the document's file")])
            size = status.st_size
            if size > MAX_FILE_BYTES:
                raise LoadError(name, [Problem("", f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")])
            parts = []
            want, read = size + 1, 0  # a byte more than measured: a /proc file measures 0
            while read <= MAX_FILE_BYTES and (part := os.read(fd, min(want, MAX_FILE_BYTES + 1 - read))):
                parts.append(part)
                read += len(part)
                want = 64 * 1024
        finally:
            os.close(fd)
    except OSError as exc:  # absent, no permission, a link to nothing, a device that fails
        missing = _not_there(name) if isinstance(exc, FileNotFoundError) else None
        raise missing or LoadError(name, [Problem("", f"cannot read file: {exc.strerror or exc}")]) from None
    if read > MAX_FILE_BYTES:  # it grew after it was measured
        raise LoadError(name, [Problem("", f"file holds more than the limit of {MAX_FILE_BYTES} bytes "
                                           f"(it measured {size} when opened)")])
    return b"".join(parts)


def read_data(path: str | Path) -> Any:
    """Read a ``.yaml``/``.yml``/``.json`` file into plain data, or raise :class:`LoadError`.

    A number with a point or an exponent is a :class:`~decimal.Decimal` of the digits written
    (``68.20`` keeps its two places, ``2.0000000000000001`` is not 2); a whole number is an ``int``."""
    name = str(path)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in (".json", ".yaml", ".yml"):
        if (missing := _not_there(name)) is not None:  # a mistyped path: not a question of its type
            raise missing
        old = " (an old Excel workbook: save it as .xlsx)" if suffix == ".xls" else ""
        raise LoadError(name, [Problem("", f"unsupported file type {suffix or '(none)'}{old}; "
                                           "use .yaml, .yml or .json (or .xlsx for a dispatch form)")])
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(name, [Problem("", f"not UTF-8 text (byte {exc.start})")]) from None
    if not text.strip():
        raise LoadError(name, [Problem("", "file is empty")])
    if suffix == ".json":
        try:
            # Numbers with a point or an exponent read exactly (as YAML's: _float); whole numbers stay int.
            data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_float=_json_decimal)
        except json.JSONDecodeError as exc:
            raise LoadError(name, [Problem("", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")]) from None
        except RecursionError:  # json's decoder recurses per level of nesting
            raise LoadError(name, [Problem("", "invalid JSON: lists and objects nested too deep")]) from None
        except _OutOfRange as exc:
            raise LoadError(name, [Problem("", _out_of_range(exc, text))]) from None
        except _RepeatedKey as exc:
            raise LoadError(name, [_repeated_key(text) or Problem("", f"invalid JSON: {exc}")]) from None
        except ValueError as exc:
            raise LoadError(name, [Problem("", _json_value_problem(exc, text))]) from None
        if "\\u" in text and _SURROGATE_ESCAPE.search(text):  # the only way JSON text holds one
            _no_lone_surrogates(name, data)
        return data
    try:
        return _read_yaml(text)
    except yaml.YAMLError as exc:
        raise LoadError(name, [Problem("", f"invalid YAML{_yaml_problem(exc, text)}")]) from None
