"""The public API as the README and the API reference show it type-checks in a consumer under
``mypy --strict``: names used there are typed precisely enough to be called."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT

mypy_api = pytest.importorskip("mypy.api")

CONSUMER = '''
from __future__ import annotations

from pathlib import Path

import engine
from engine import Report, Unread, Unusable
from forms import CONVERTER, DOCUMENT_KINDS, AnnualPlan, LoadError, load_document, load_plan
from forms.strategies import (
    ALTERNATIVE_MUTATIONS,
    CAMPAIGN_ALTERNATIVE_MUTATIONS,
    CAMPAIGN_MUTATIONS,
    MUTATIONS,
    PLAN_ALTERNATIVE_MUTATIONS,
    PLAN_MUTATIONS,
    CampaignBundle,
    Mutation,
    Way,
    annual_plans,
    campaign_bundles,
    plan_data,
    restated,
    with_planned,
)


def consume(plan: AnnualPlan, bundle: CampaignBundle, way: Way) -> list[Report]:
    broken: AnnualPlan = MUTATIONS["plan.shares"](plan)
    late: CampaignBundle = MUTATIONS["form.deadline"](bundle)
    one_way: AnnualPlan = ALTERNATIVE_MUTATIONS[way](plan)
    other_way: CampaignBundle = ALTERNATIVE_MUTATIONS[("form.deadline", 1, 0)](bundle)
    exact: AnnualPlan = PLAN_ALTERNATIVE_MUTATIONS[way](PLAN_MUTATIONS["plan.totals"](plan))
    both: CampaignBundle = CAMPAIGN_ALTERNATIVE_MUTATIONS[way](CAMPAIGN_MUTATIONS["form.rollup"](bundle))
    mutate: Mutation = MUTATIONS["plan.joint-share"]
    fewer: AnnualPlan = with_planned(restated(mutate(plan)), "joint-random", 1)
    data: dict[str, object] = plan_data(fewer)
    kinds: list[str] = sorted(DOCUMENT_KINDS)
    back: Report = CONVERTER.structure(CONVERTER.unstructure(engine.check(broken)), Report)
    results: list[Report | Unusable] = engine.check_documents([*late.documents, *both.documents, exact],
                                                              unread=[Unread("lost.xlsx")])
    try:
        load_document(Path("plan.yaml"))
    except LoadError as exc:
        print(exc.problems, data, kinds, one_way, other_way)
    print(annual_plans("shanghai-chongming-2024"), campaign_bundles("shanghai-chongming-2023-campaign"))
    return [back, engine.check(load_plan("plan.yaml")), *engine.check_many([broken], batch=1),
            *(r for r in results if isinstance(r, Report))]
'''


def test_the_documented_api_type_checks_in_a_strict_consumer(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    consumer = tmp_path / "consumer.py"
    consumer.write_text(CONSUMER, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")  # not the project's settings
    # zhifa from the source tree, its own modules' errors silenced, as for an installed package.
    monkeypatch.setenv("MYPYPATH", str(ROOT))
    out, err, status = mypy_api.run(["--config-file", str(tmp_path / "mypy.ini"), "--strict",
                                     "--follow-imports=silent", "--cache-dir", str(tmp_path / "cache"),
                                     str(consumer)])
    assert status == 0, out + err
