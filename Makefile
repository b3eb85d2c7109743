# lstmlab: two commands for everything.
#   make lab    installs what is missing, then opens JupyterLab on lessons/
#   make test   installs what is missing, then runs every test (what CI runs)
# Uses ./.venv (created with pip). With conda: `conda env create -f environment.yml`,
# `conda activate lstmlab`, then `make test VENV=$CONDA_PREFIX`.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lstmlab-installed
# Ignore a system pip cap on torch/torchvision: torch is pinned exactly in pyproject.toml.
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: install lab test test-fast build verify bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { command -v $(PYTHON) >/dev/null || PYTHON=python3; $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/lstmlab lab

# Library and grading tests, then the student versions must be fresh, then nbval on every solution.
test: $(STAMP)
	tools/install-browser.sh || true   # Chromium for tests/test_browser.py (root: apt-get; else the test skips)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 --dist loadfile   # both cores; a test file stays on one worker
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/lstmlab build --check
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/lstmlab verify --pytest-args -n 2 --dist loadfile   # a notebook stays on one kernel

test-fast: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -k "not nbgrader_gives and not test_browser"

# README's screenshots, taken by the browser test.
screenshots: $(STAMP)
	tools/install-browser.sh
	PATH="$(CURDIR)/$(BIN):$$PATH" LSTMLAB_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/test_browser.py -q

build: $(STAMP)
	$(BIN)/lstmlab build

verify: $(STAMP)
	$(BIN)/lstmlab verify

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_lstm.py
	$(BIN)/python benchmarks/bench_notebooks.py
	$(BIN)/python benchmarks/bench_grading.py

clean:
	rm -rf $(VENV) course/source course/release course/submitted course/autograded course/feedback course/gradebook.db
