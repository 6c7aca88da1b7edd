"""What an enterprise did during a hazard-rectification campaign, and a unit's dated campaign steps."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import attrs

from forms.dispatch import YearMonth
from forms.plan import Count, Name

# An amount as the record writes it, with its unit (资金 “5万元”): text, since a bare number does
# not say 元 or 万元 (the loader refuses one, saying so).
Amount = Annotated[str, "amount with its unit"]


class FoundBy(StrEnum):
    SELF = "self"  # 企业自查
    DEPARTMENT = "department"  # 部门检查


@attrs.frozen
class Contractor:
    """A contractor or tenant (承包承租方) as the outsourcing review found it."""

    name: str
    qualified: bool  # 具备安全生产条件、取得相应资质
    agreement: bool  # 双方签订安全生产协议
    clear_responsibilities: bool  # 安全生产管理职责清晰
    unified_management: bool  # 纳入本企业统一管理
    safety_briefing: bool | None = None  # 按规定进行安全技术交底 (None: not recorded)

    def disorderly(self, orderly: tuple[str, ...], may_count: tuple[str, ...] = ()) -> bool | None:
        """外包外租管理混乱 as a campaign's form counts it (``orderly``: the conditions that must all
        hold, :attr:`forms.dispatch.FormTemplate.orderly_outsourcing`; ``may_count``: those whose
        failure a reading of the campaign may count, :attr:`~forms.dispatch.FormTemplate.outsourcing_may_count`):
        True if one of ``orderly`` recorded fails; None if none does but one is not recorded
        (unknown, never guessed), or one of ``may_count`` fails or is not recorded (it may count)."""
        conditions = [getattr(self, name) for name in orderly]
        if False in conditions:
            return True
        if None in conditions or any(getattr(self, name) is not True for name in may_count):
            return None
        return False


#: The conditions of a contractor a review records, each of which a campaign may count towards
#: orderly outsourcing, in the campaigns' words.
CONTRACTOR_CONDITIONS = {"qualified": "具备安全生产条件和相应资质", "agreement": "签订安全生产协议",
                         "clear_responsibilities": "安全生产管理职责清晰", "unified_management": "纳入本企业统一管理",
                         "safety_briefing": "按规定进行安全技术交底"}


@attrs.frozen
class OutsourcingReview:
    """The one full review of outsourced and leased operations (外包外租排查)."""

    done: date
    contractors: tuple[Contractor, ...] = ()

    def disorderly(self, orderly: tuple[str, ...], may_count: tuple[str, ...] = ()) -> bool | None:
        """Whether the review found 外包外租管理混乱 (:meth:`Contractor.disorderly`): True if some
        contractor's is, None if none is but some contractor's may be."""
        found = [c.disorderly(orderly, may_count) for c in self.contractors]
        return True if True in found else None if None in found else False


@attrs.frozen
class KeyPostReview:
    """The one full review of key-post staff and their certificates (关键岗位人员排查)."""

    done: date
    unlicensed: Count | None = None  # staff found working a special-operation post uncertified (None: not recorded)


@attrs.frozen
class DeferredPlan:
    """For a hazard not rectified at once: the five elements (责任人、措施、资金、期限、应急预案)."""

    responsible: str | None = None
    measures: str | None = None
    funds: Amount | None = None
    deadline: date | None = None
    emergency_plan: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(name for name in ("responsible", "measures", "funds", "deadline", "emergency_plan")
                     if getattr(self, name) is None)


@attrs.frozen
class Hazard:
    """A major accident hazard (重大事故隐患) in the enterprise's ledger (台账)."""

    description: str
    found_by: FoundBy
    found: date
    rectified: date | None = None
    deferred: DeferredPlan | None = None
    #: Whether it was reported to the supervising department (按规定报告); None where the record
    #: does not say, which is not “not reported” (never guessed).
    reported: bool | None = None


@attrs.frozen
class SpotCheck:
    """Which reporting unit spot-checked the enterprise (部门抽查), and in which month."""

    by: Name
    month: YearMonth


@attrs.frozen
class EnterpriseRecord:
    """An enterprise's campaign duties as done: checks led by its main leader, drills, the
    all-staff warning education, the outsourcing and key-post reviews, and its hazard ledger."""

    enterprise: Name
    sector: str
    high_risk: bool
    profile: str
    leader_checks: tuple[date, ...] = ()
    drills: tuple[date, ...] = ()
    warning_education: tuple[date, ...] = ()
    outsourcing_review: OutsourcingReview | None = None
    key_post_review: KeyPostReview | None = None
    hazards: tuple[Hazard, ...] = ()
    spot_check: SpotCheck | None = None
    #: The day the record runs to; duties falling due after it are not yet checked, and what it
    #: does not record after it is not known (a spot check judged later may count it). None when the
    #: record is final.
    as_of: date | None = None


@attrs.frozen
class Milestone:
    """A dated campaign step a township, department or enterprise reported doing."""

    step: str
    done: date


class UnitRole(StrEnum):
    """A role a unit holds in a campaign: some dated steps are asked only of the units holding a
    role (a profile's ``owed_by``)."""

    LEAD_UNIT = "lead-unit"  # 行业领域牵头负责单位
    SECTOR_GROUP_OFFICE = "sector-group-office"  # 专业安全生产领导小组办公室

    @property
    def title_zh(self) -> str:
        return ROLE_TITLES[self][0]

    @property
    def title_en(self) -> str:
        return ROLE_TITLES[self][1]


#: Each role in the campaigns' words, and in English.
ROLE_TITLES = {UnitRole.LEAD_UNIT: ("行业领域牵头负责单位", "a sector's lead unit"),
               UnitRole.SECTOR_GROUP_OFFICE: ("专业安全生产领导小组办公室", "a sector safety leading-group office")}


@attrs.frozen
class CampaignSteps:
    """A unit's record of the campaign's dated steps (plan filed, implementation reports …), the
    roles the unit holds (a step some units only owe is asked of those holding its role), and the
    day the record runs to (steps falling due after it and not recorded are not yet checked)."""

    unit: Name
    profile: str
    milestones: tuple[Milestone, ...]
    #: The roles the unit holds, which steps owed only by some units are owed by ([] for none).
    #: None: not stated, and those steps are not checked (never guessed).
    roles: tuple[UnitRole, ...] | None = None
    #: The day the record runs to; steps falling due after it and not recorded are not yet
    #: checked. None: final.
    as_of: date | None = None
