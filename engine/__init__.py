"""zhifa's engine: documents become facts, durable-rules matches the rulebook's conditions, and
each match becomes a violation that cites its clause.

>>> import engine
>>> report = engine.check_file("examples/plans/chongming-2024.yaml")  # doctest: +SKIP
>>> [v.rule for v in report.violations]  # doctest: +SKIP
['plan.joint-share']
"""

from engine.check import ProfileError, Unread, Unusable, check, check_documents, check_file, check_files, check_many
from engine.compile import RulebookError
from engine.report import NotChecked, Report, Violation
from engine.runtime import RuleError

__all__ = [
    "NotChecked", "ProfileError", "Report", "RuleError", "RulebookError", "Unread", "Unusable", "Violation",
    "check", "check_documents", "check_file", "check_files", "check_many",
]
