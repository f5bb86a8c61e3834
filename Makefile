# The commands of this project. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
NB ?= notebooks/*.ipynb
# The browser test: 1 = run it, skip with a message where Chromium can't be had; require = fail
# instead (CI); 0 = off.
BROWSER_TEST ?= 1
# Platforms whose wheels `make check-platforms` resolves (uv's target triples).
PLATFORMS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu aarch64-apple-darwin \
  x86_64-pc-windows-msvc

.PHONY: help setup graphviz chromium lab test check-platforms browser-test lint format execute \
  times readme clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' Makefile | awk -F':.*## ' '{printf "%-16s %s\n", $$1, $$2}'

setup: $(STAMP) graphviz  ## virtual environment in .venv with the pinned requirements (+ Graphviz)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version.split()[0]' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

# $(call apt_install,PACKAGE,what is missing without it[,apt-get options]): install a Debian
# package with apt-get as root or with password-less sudo (the package lists are refreshed only
# if the first try fails); elsewhere print a note and go on.
define apt_install
	@if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	else \
	  echo "Note: '$(1)' is missing and cannot be installed here (needs apt-get as root or"; \
	  echo "      password-less sudo): $(2). To get it: install the '$(1)' package."; exit 0; fi; \
	install="$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(3) $(1)"; \
	$$install >/dev/null 2>&1 || { $$SUDO apt-get update -qq && $$install >/dev/null; } \
	  || echo "Note: apt-get could not install '$(1)': $(2)."
endef

graphviz:  ## install Graphviz's `dot` (model diagrams) where the machine allows it
	$(if $(shell command -v dot),,$(call apt_install,graphviz,diagrams fall back to text summaries))

chromium:  ## install Debian's Chromium (for `make browser-test`) where the machine allows it
	$(if $(wildcard /usr/bin/chromium),,$(call apt_install,chromium,the browser test is skipped,--no-install-recommends))

lab: setup  ## set up, then open JupyterLab on notebooks/
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

test: setup $(if $(filter 0,$(BROWSER_TEST)),,chromium)  ## set up, lint, check-platforms, then pytest: tests/ (browser test included) and nbval on every notebook
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@$(MAKE) --no-print-directory check-platforms
	BROWSER_TEST=$(BROWSER_TEST) $(BIN)/pytest tests/ notebooks/ --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout=600 -v -rs

check-platforms: setup  ## check that requirements.txt resolves to wheels on Linux x86-64/aarch64, macOS arm64, Windows
	@for p in $(PLATFORMS); do \
	  $(BIN)/uv pip compile requirements.txt --python-platform $$p --python-version 3.11 \
	    --only-binary :all: --no-header --quiet --output-file /dev/null \
	    || { echo "check-platforms: requirements.txt does not resolve to wheels for $$p"; exit 1; }; \
	  echo "check-platforms: $$p resolves (Python 3.11, wheels only)"; \
	done

browser-test: setup chromium  ## run the fastest notebook in JupyterLab in headless Chromium, as a person does
	BROWSER_TEST=$(BROWSER_TEST) $(BIN)/pytest tests/test_browser.py -v -s -rs

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

times: setup  ## run the notebooks under nbval, write each one's wall time to data/times.json
	NOTEBOOK_TIMES_FILE=data/times.json $(BIN)/pytest $(NB) --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout=600 -q
	$(BIN)/python -c "import helpers; helpers.update_readme_results()"

readme: setup  ## regenerate the README's results and wall times from data/results/*.json and data/times.json
	$(BIN)/python -c "import helpers; print(helpers.update_readme_results())"

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info tmp/browser-test
