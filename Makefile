# Two commands for a new user: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `make demo` needs only the core; `make test` also installs the test tools and the sdv extra
# (SDV + PyTorch) so the `synth fit`/`synth sample` tests run. constraints.txt pins torch to the
# local CPU build (never a CUDA download).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,sdv,cli,notebooks,linkage]' -c constraints.txt
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/synth generate england_wales --force

# A run's synth.duckdb opened by the DuckDB CLI from PyPI (the cli extra): storage compatibility.
DUCKDB_CHECK ?= /tmp/synth-duckdb-cli-check

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q
	rm -rf $(DUCKDB_CHECK) && $(BIN)/synth generate training_small --out $(DUCKDB_CHECK) -q
	$(BIN)/duckdb -readonly $(DUCKDB_CHECK)/synth.duckdb -c "SELECT count(*) AS tables FROM duckdb_tables() WHERE comment LIKE 'SYNTHETIC%'"
	$(BIN)/ruff check synth tests benchmarks scripts
	$(BIN)/python -m mypy
	$(BIN)/lint-imports

lint: $(VENV)/.installed-test
	$(BIN)/ruff check synth tests benchmarks scripts
	$(BIN)/python -m mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
