# Two commands for a new user: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/synth generate england_wales --force

test: $(VENV)/.installed
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check synth tests benchmarks scripts

lint: $(VENV)/.installed
	$(BIN)/ruff check synth tests benchmarks scripts

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
