# autocorrect — set-up, demo, tests. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUBRIC := rubrics/c20-bureau-plus.yaml
DEMO_OUT := out/demo

.PHONY: install demo test lint type check goldens fixtures bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/autocorrect batch fixtures/c20-bureau-plus/submissions --rubric $(RUBRIC) --out $(DEMO_OUT)
	$(BIN)/autocorrect grade fixtures/c20-bureau-plus/solution.xlsx --rubric $(RUBRIC) > $(DEMO_OUT)/solution.txt
	@echo "Rapports écrits dans $(DEMO_OUT)/ (un .json par copie, gradebook.csv, solution.txt)"

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check autocorrect tests fixtures benchmarks
	$(BIN)/ruff format --check autocorrect tests fixtures benchmarks

type: $(STAMP)
	$(BIN)/mypy

check: lint type test

goldens: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_goldens.py --update-goldens

fixtures: $(STAMP)
	$(BIN)/python fixtures/c20-bureau-plus/build_fixtures.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_grade.py

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
