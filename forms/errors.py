"""The one error a loader raises: it names the file and every bad field."""

from __future__ import annotations

import json
from typing import Any

import attrs


def shown(value: Any) -> str:
    """A value as a problem message quotes it: text in JSON's quotes, anything else as Python writes it."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


@attrs.frozen
class Problem:
    """One thing wrong with an input: where (a field path such as ``items[3].monthly[7]``) and what."""

    path: str
    message: str

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
