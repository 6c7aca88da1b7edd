"""The shapes shared by every fact builder: a fact, a parameter set, and a reason a fact is missing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import attrs

from forms.convert import Document

#: A flat record durable-rules matches: ``kind``, ``loc`` (a JSON pointer into its document),
#: ``doc`` (the document's index in the bundle), and the values a rule compares.
Fact = dict[str, Any]
Params = Mapping[str, Decimal | date]
#: Documents checked together: one plan, or the forms, records and steps of one campaign.
Bundle = Sequence[Document]


@attrs.frozen
class Missing:
    """The input lacks what a fact kind needs."""

    zh: str
    en: str


Built = Iterator[Fact | Missing]
