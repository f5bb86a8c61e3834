# The commands of this project. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
NB ?= notebooks/*.ipynb

.PHONY: help setup graphviz lab test lint format execute times readme clean

help:  ## list the commands
	@grep -E '^[a-z]+:.*## ' Makefile | sed -E 's/:.*## /\t/' | expand -t 12

setup: $(STAMP) graphviz  ## virtual environment in .venv with the pinned requirements (+ Graphviz)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

graphviz:  ## install Graphviz's `dot` (model diagrams) where the machine allows it
	@if command -v dot >/dev/null; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	    || echo "Note: apt-get could not install graphviz; diagrams fall back to text summaries."; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
	  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	    || echo "Note: apt-get could not install graphviz; diagrams fall back to text summaries."; \
	else \
	  echo "Note: Graphviz 'dot' is missing and cannot be installed here without a password;"; \
	  echo "      diagrams fall back to text summaries. To get them: install the 'graphviz' package."; \
	fi

lab: setup  ## set up, then open JupyterLab on notebooks/
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

test: setup  ## set up, then lint and run all tests: pytest on tests/ and nbval on every notebook
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest tests/ notebooks/ --nbval-lax --nbval-current-env --nbval-cell-timeout=600 -v

lint: setup  ## ruff check + format check (helpers, tests, notebooks)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup  ## ruff: fix what it can and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

execute: setup  ## re-execute notebooks in place, each in a fresh kernel (NB=path for one)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=900 --ExecutePreprocessor.kernel_name=python3 $(NB)
	$(BIN)/python -c "import helpers; helpers.update_readme_results()"

times: setup  ## run the notebooks under nbval and print each one's wall time as a table
	$(BIN)/pytest $(NB) --nbval-lax --nbval-current-env --nbval-cell-timeout=600 -q

readme: setup  ## regenerate the README's results table from data/results/*.json
	$(BIN)/python -c "import helpers; print(helpers.update_readme_results())"

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
