# Two commands for a new user: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint clean check-903

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

# The DfE's 903 validation rules (the data-to-insight validator, PyPI csc-validator-be-903, MIT) on a
# run's LA returns: `make check-903 RUN=output/<run>` (YEARS="2023 2024" for some collection years). The validator pins pandas<2, so it gets its own
# environment (.venv-903). Not part of `make test`: it downloads the validator.
VENV903     ?= .venv-903
VALIDATOR903 ?= csc-validator-be-903==0.1.17
RUN         ?=
RETURNS     ?= $(RUN)-returns
JOBS        ?= 2
YEARS       ?=

$(VENV903)/.installed:
	$(PYTHON) -m venv $(VENV903)
	$(VENV903)/bin/python -m pip install --quiet '$(VALIDATOR903)'
	touch $@

check-903: $(VENV)/.installed $(VENV903)/.installed
	@test -n "$(RUN)" || { echo "make check-903: give the run folder, e.g. make check-903 RUN=output/<run>" >&2; exit 2; }
	$(BIN)/synth returns $(RUN) --out $(RETURNS) --force -q $(foreach y,$(YEARS),--year $(y))
	$(VENV903)/bin/python scripts/check_903.py $(RETURNS) --jobs $(JOBS) --json $(RETURNS)/check_903.json \
		$(foreach y,$(YEARS),--year $(y))

clean:
	rm -rf $(VENV) $(VENV903) .pytest_cache .ruff_cache
