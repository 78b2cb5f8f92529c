# Every target creates .venv on first use, so a fresh machine needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest docs bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs,dev,bench]'
	touch $(STAMP)

# make demo prints the year's report in Chinese (LANG_REPORT=en: in English), writes the
# year's publications into publication/ (PUBLISH=DIR: into DIR; PUBLISH= : the report only)
# and ends by saying where they went
PUBLISH ?= publication
LANG_REPORT ?= zh
demo: $(STAMP)
	$(BIN)/python -m randsupervise demo --lang $(LANG_REPORT) $(if $(PUBLISH),--publish $(PUBLISH))

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict src
	$(BIN)/lint-imports

pytest: $(STAMP)
	HYPOTHESIS_PROFILE=ci $(BIN)/python -m pytest -q src tests docs README.md README.zh-CN.md

docs: $(STAMP)
	export NO_MKDOCS_2_WARNING=1; \
	$(BIN)/mkdocs build --strict --site-dir site

test: lint typecheck pytest docs

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

bench-quick: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) site .mypy_cache .pytest_cache .ruff_cache
