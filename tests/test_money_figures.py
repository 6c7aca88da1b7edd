"""Money (万元) is compared to 0.0001 万元 wherever forms are compared: a penalty amount (the money
figure of a count-and-amount item, whose count is in 次) off by a fraction of 万元 is a finding in a
roll-up and in a unit's monthly series, never rounded away with the count's unit."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from forms.dispatch import CountAmount, DispatchForm, load_template
from forms.strategies import CampaignBundle, campaign_bundles

CAMPAIGN_PROFILES = ["linyi-lingang-2023-campaign", "shanghai-chongming-2023-campaign"]
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: A fraction of 万元 from 0.0001 to 0.9999: below the whole 万元 the count's unit would round to.
fractions_of_wan = st.integers(1, 9_999).map(lambda n: Decimal(n) / 10_000)


def _penalties(form: DispatchForm) -> CountAmount | None:
    value = form.value("penalties")
    return value if isinstance(value, CountAmount) and value.amount is not None else None


def _with_amount(form: DispatchForm, amount: Decimal) -> DispatchForm:
    penalties = _penalties(form)
    assert penalties is not None
    return attrs.evolve(form, values=form.values | {"penalties": attrs.evolve(penalties, amount=amount)})


def _violations(bundle: CampaignBundle) -> list[engine.Violation]:
    reports = engine.check_documents(list(bundle.documents))
    return [v for r in reports if isinstance(r, engine.Report) for v in r.violations]


def _as_written(amount: Decimal) -> int | float:
    """An amount as a report's values give it: the number the form states, not as compared."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def test_a_penalty_amount_is_money_and_its_count_is_not() -> None:
    for variant in ("chongming-2023", "linyi-lingang-2023"):
        item = load_template(variant).item("penalties")
        assert item.in_whole_numbers("count") and not item.in_whole_numbers("amount")


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@SETTINGS
@given(data=st.data())
def test_an_aggregate_amount_off_by_a_fraction_of_wan_is_reported(profile_id: str, data: st.DataObject) -> None:
    bundle = data.draw(campaign_bundles(profile_id))
    aggregate = bundle.aggregate_forms[-1]
    stated = _penalties(aggregate)
    assume(stated is not None and stated.count)  # an amount with no count breaks another rule
    assert stated is not None
    wrong = stated.amount + data.draw(fractions_of_wan)  # type: ignore[operator]
    bundle = attrs.evolve(bundle, aggregate_forms=(*bundle.aggregate_forms[:-1], _with_amount(aggregate, wrong)))
    (violation,) = _violations(bundle)
    assert (violation.rule, violation.location) == ("form.rollup", "/values/penalties/amount")
    assert (violation.values["stated"], violation.values["computed"]) == (_as_written(wrong),
                                                                          _as_written(stated.amount))  # type: ignore[arg-type]


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@SETTINGS
@given(data=st.data())
def test_an_amount_falling_by_a_fraction_of_wan_is_reported(profile_id: str, data: st.DataObject) -> None:
    bundle = data.draw(campaign_bundles(profile_id))
    before, last = bundle.unit_forms[-2:]
    previous = _penalties(before)
    assume(previous is not None and previous.amount is not None and previous.amount > 0 and _penalties(last))
    assert previous is not None and previous.amount is not None
    fell = previous.amount - min(previous.amount, data.draw(fractions_of_wan))
    bundle = attrs.evolve(bundle, unit_forms=(*bundle.unit_forms[:-1], _with_amount(last, fell)))
    (violation,) = _violations(bundle)
    assert (violation.rule, violation.location) == ("form.cumulative-nondecreasing", "/values/penalties/amount")
    assert (violation.values["previous"], violation.values["current"]) == (_as_written(previous.amount),
                                                                           _as_written(fell))


@pytest.mark.parametrize("profile_id", CAMPAIGN_PROFILES)
@SETTINGS
@given(data=st.data(), count=st.sampled_from([None, 0]))
def test_an_amount_with_no_penalty_counted_gives_the_amount_as_written_and_a_blank_count_as_none(
        profile_id: str, data: st.DataObject, count: int | None) -> None:
    bundle = data.draw(campaign_bundles(profile_id))
    last = bundle.unit_forms[-1]
    penalties = _penalties(last)
    assume(penalties is not None and penalties.amount)
    assert penalties is not None
    # every form of the unit, so that the count does not fall in its series either
    forms = tuple(attrs.evolve(f, values=f.values | {"penalties": attrs.evolve(penalties, count=count)})
                  if _penalties(f) else f for f in bundle.unit_forms)
    violations = [v for v in _violations(attrs.evolve(bundle, unit_forms=forms))
                  if v.location == "/values/penalties/amount" and v.rule == "form.part-within-whole"]
    assert violations and all(v.values == {"amount": _as_written(penalties.amount), "count": count}  # type: ignore[arg-type]
                              for v in violations)
