"""Rebuild the seed corpora in fuzz/corpus/ from examples/ (small files only).

    .venv/bin/python fuzz/seed_corpus.py
"""

from __future__ import annotations

import shutil

from _common import ROOT

from forms import load_document
from forms.convert import dump_document
from forms.xlsx import write_form

CORPUS = ROOT / "fuzz" / "corpus"
CAMPAIGN = ROOT / "examples" / "campaigns" / "chongming-2023"
LINGANG = ROOT / "examples" / "campaigns" / "linyi-lingang-2023"
#: Small examples of every kind: two plans, a dispatch form, a roll-up, a record, dated steps.
SEEDS = {
    "plan-minhang": ROOT / "examples" / "plans" / "minhang-2020.yaml",
    "plan-putuo": ROOT / "examples" / "plans" / "putuo-2024.yaml",
    "form-chengqiao": CAMPAIGN / "clean" / "城桥镇-2023-05.yaml",
    "form-rollup": CAMPAIGN / "clean" / "崇明区安委会办公室-2023-05-汇总.yaml",
    "record-furniture": CAMPAIGN / "clean" / "台账-上海某家具有限公司.yaml",
    "steps-chengqiao": CAMPAIGN / "violations" / "城桥镇-阶段工作.yaml",
    "form-lingang-late": LINGANG / "violations" / "区安全生产监管办公室-2023-06.yaml",
}


def main() -> None:
    for harness in ("loaders", "xlsx", "check"):
        shutil.rmtree(CORPUS / harness, ignore_errors=True)
        (CORPUS / harness).mkdir(parents=True)
    for name, path in SEEDS.items():
        document = load_document(path)
        shutil.copyfile(path, CORPUS / "loaders" / f"{name}.yaml")
        (CORPUS / "loaders" / f"{name}.json").write_text(dump_document(document, "json"), encoding="utf-8")
        if name.startswith("form"):
            write_form(document, CORPUS / "xlsx" / f"{name}.xlsx")  # type: ignore[arg-type]
    # Inputs for the xlsx harness's part (first byte 1) and cells (first byte 2) modes.
    for k in range(3):
        (CORPUS / "xlsx" / f"part-{k}").write_bytes(bytes([1]) + bytes(range(k * 50, k * 50 + 100)))
        (CORPUS / "xlsx" / f"cells-{k}").write_bytes(bytes([2]) + bytes(range(k * 50, k * 50 + 100)))
    # The check harness reads its bytes through a FuzzedDataProvider: any bytes make a valid start.
    for k, seed in enumerate([b"\x00" * 64, bytes(range(256)), b"\xff" * 64, b"zhifa" * 40]):
        (CORPUS / "check" / f"seed-{k}").write_bytes(seed)


if __name__ == "__main__":
    main()
