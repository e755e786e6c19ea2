# Kilowatt: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := src
export DJANGO_SETTINGS_MODULE := kilowatt.config.settings
SCALE ?= 100000
CUSTOMERS ?= 2000

.PHONY: install demo serve seed test test-fast lint format bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kilowatt migrate --no-input
	$(BIN)/kilowatt seed --customers $(CUSTOMERS) --seed 1 --if-empty
	$(BIN)/kilowatt demo_reads --months 7 --if-empty
	$(BIN)/kilowatt demo_bills --months 7 --if-empty
	$(BIN)/kilowatt demo_sales --if-empty
	$(BIN)/kilowatt demo_field
	$(BIN)/kilowatt demo_logins
	$(BIN)/kilowatt demo_serve 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)  ## ruff, import-linter (the walls), mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP)
	$(BIN)/python bench/run.py --scale $(SCALE)

clean:
	rm -rf $(VENV) kilowatt.sqlite3* staticfiles
