# gemini-sdk developer commands. Every target that needs the virtualenv depends on `install`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UPSTREAM ?= ../shared/upstream

.PHONY: install import generate check-generated lint typecheck test versions check bench bench-full demo clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

import: install
	$(BIN)/python -m codegen import $(UPSTREAM)

generate: install
	$(BIN)/python -m codegen generate

check-generated: install
	$(BIN)/python -m codegen check

lint: install
	$(BIN)/ruff check runtime codegen tests bench
	$(BIN)/ruff format --check runtime codegen tests bench

typecheck: install
	$(BIN)/mypy

test: check-generated
	$(BIN)/python -m pytest

# The wheel on every supported Python (pyenv's), each in a fresh virtualenv: the seed
# examples and the typing test against the installed package (tests/noxfile.py).
versions: install
	$(BIN)/nox -f tests/noxfile.py

check: lint typecheck test versions

bench: install
	$(BIN)/python -m bench

# The same report with google-genai measured too, from a separate venv: the project itself
# never depends on google-genai.
bench-full:
	test -x .venv-bench/bin/python || $(PYTHON) -m venv --clear .venv-bench
	.venv-bench/bin/python -m pip install --quiet --upgrade pip
	.venv-bench/bin/python -m pip install --quiet -e . google-genai
	.venv-bench/bin/python -m bench

demo: install
	$(BIN)/python tests/seed.py

clean:
	rm -rf $(VENV) .nox .pytest_cache .mypy_cache .hypothesis
