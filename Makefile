# autocorrect — set-up, demo, tests. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CASES := c20-bureau-plus c16-aquapro c21-terroirs c21-cyclea
HELDOUT_CASES := c20-bureau-plus c16-aquapro c21-terroirs
DEMO_OUT := out/demo

.PHONY: install demo test test-fast lint type check goldens fixtures bench oracle clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@for case in $(CASES); do \
	  $(BIN)/autocorrect batch fixtures/$$case/submissions --rubric rubrics/$$case.yaml --out $(DEMO_OUT)/$$case || exit 1; \
	  $(BIN)/autocorrect grade fixtures/$$case/solution.xlsx --rubric rubrics/$$case.yaml > $(DEMO_OUT)/$$case/solution.txt; \
	done
	@echo "Rapports écrits dans $(DEMO_OUT)/<cas>/ (un .json par copie, gradebook.csv, solution.txt)"

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check autocorrect tests fixtures benchmarks
	$(BIN)/ruff format --check autocorrect tests fixtures benchmarks

type: $(STAMP)
	$(BIN)/mypy

check: lint type test

goldens: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_goldens.py tests/test_outputs_unchanged.py --update-goldens

fixtures: $(STAMP)
	@for case in $(CASES); do $(BIN)/python fixtures/$$case/build_fixtures.py || exit 1; done

.PHONY: heldout
heldout: $(STAMP)
	@for case in $(HELDOUT_CASES); do $(BIN)/python fixtures/$$case/build_heldout.py || exit 1; done

oracle: $(STAMP)
	$(BIN)/python -m tests.oracle --count 3000

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_grade.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_scaling.py
	$(BIN)/python benchmarks/bench_corpus.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache

.PHONY: heldout-agreement
heldout-agreement: $(STAMP)
	$(BIN)/python benchmarks/heldout_agreement.py
