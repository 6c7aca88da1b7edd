# zhifa: `make demo` and `make test` work on a fresh machine with Python 3.11, gcc and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs bench bench-quick fuzz fuzz-ci install schema clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	-$(BIN)/zhifa check examples/plans/chongming-2024.yaml
	@echo "(exit status 1 above means: violations found, as documented in docs/findings.md)"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	$(BIN)/ruff check engine forms rulebook tests docs/_ext benchmarks fuzz
	$(BIN)/mypy

# The rule catalogue, source pages and reference, generated from the rulebook; warnings are errors.
docs: $(STAMP)
	$(BIN)/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html
	@echo "docs built: docs/_build/html/index.html"

# Benchmarks (not tests): each prints its figures and, last, one JSON line. docs/performance.md has a run.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/forms.py
	$(BIN)/python benchmarks/end_to_end.py
	$(BIN)/python benchmarks/scaling.py
	$(BIN)/python benchmarks/plans.py

bench-quick: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/forms.py --quick
	$(BIN)/python benchmarks/end_to_end.py --quick
	$(BIN)/python benchmarks/scaling.py --quick
	$(BIN)/python benchmarks/plans.py --quick

# Coverage-guided fuzzing (atheris) of the loaders, the workbook reader and engine.check; a crash
# stops the run with its input in fuzz/regressions/. See fuzz/README.md.
# `make fuzz` explores: a random seed, FUZZ_SECONDS per harness, and the inputs it finds kept in
# FUZZ_WORK for the next run. `make fuzz-ci` replays: a fixed seed and a fixed number of inputs per
# harness from a fresh folder, so CI fails when a change breaks something, not when a run wanders.
FUZZ_SECONDS ?= 60
FUZZ_WORK ?= /tmp/zhifa-fuzz
FUZZ_LIMIT ?= -max_total_time=$(FUZZ_SECONDS)
FUZZ_LIMIT_XLSX ?= $(FUZZ_LIMIT)
FUZZ_FLAGS = -timeout=30 -artifact_prefix=fuzz/regressions/

fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,fuzz]'
	mkdir -p $(FUZZ_WORK)/loaders $(FUZZ_WORK)/xlsx $(FUZZ_WORK)/check
	$(BIN)/python fuzz/loaders.py $(FUZZ_LIMIT) $(FUZZ_FLAGS) $(FUZZ_WORK)/loaders fuzz/corpus/loaders
	$(BIN)/python fuzz/xlsx.py $(FUZZ_LIMIT_XLSX) $(FUZZ_FLAGS) $(FUZZ_WORK)/xlsx fuzz/corpus/xlsx
	$(BIN)/python fuzz/check.py $(FUZZ_LIMIT) $(FUZZ_FLAGS) -max_len=2048 $(FUZZ_WORK)/check fuzz/corpus/check

fuzz-ci:
	rm -rf build/fuzz-ci
	PYTHONHASHSEED=0 $(MAKE) fuzz FUZZ_WORK=build/fuzz-ci \
		FUZZ_LIMIT='-seed=1 -runs=1500' FUZZ_LIMIT_XLSX='-seed=1 -runs=300'

# Regenerate the published JSON Schemas of the document formats (a test checks they are current).
schema: $(STAMP)
	$(BIN)/python -m forms.schema forms/schemas

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis docs/_build
