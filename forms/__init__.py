"""zhifa's documents: attrs models of compliance documents, and their loaders.

>>> from forms import load_plan
>>> plan = load_plan("examples/plans/chongming-2024.yaml")  # doctest: +SKIP
"""

from forms.convert import (
    CONVERTER,
    DOCUMENT_KINDS,
    document_from_data,
    dump_plan,
    load_document,
    load_plan,
    plan_from_data,
    structure,
    unstructure,
)
from forms.errors import LoadError, Problem
from forms.parse import MAX_FILE_BYTES, read_data
from forms.plan import (
    AnnualPlan,
    Category,
    Group,
    InspectionItem,
    KeyUnit,
    KeyUnitCategory,
    KeyUnitList,
    NewUnits,
    NewUnitsPart,
    Period,
    PlannedBasis,
    Schedule,
    ScheduleRow,
    StatedTotals,
    Tag,
    UnitVisit,
    Workload,
)

__all__ = [
    "CONVERTER",
    "DOCUMENT_KINDS",
    "MAX_FILE_BYTES",
    "AnnualPlan",
    "Category",
    "Group",
    "InspectionItem",
    "KeyUnit",
    "KeyUnitCategory",
    "KeyUnitList",
    "LoadError",
    "NewUnits",
    "NewUnitsPart",
    "Period",
    "PlannedBasis",
    "Problem",
    "Schedule",
    "ScheduleRow",
    "StatedTotals",
    "Tag",
    "UnitVisit",
    "Workload",
    "document_from_data",
    "dump_plan",
    "load_document",
    "load_plan",
    "plan_from_data",
    "read_data",
    "structure",
    "unstructure",
]
