# lstmlab: two commands for everything.
#   make lab    installs what is missing, then opens JupyterLab on lessons/ (make lab EDITION=zh: the
#               Chinese edition, lessons/zh/, with JupyterLab in Chinese)
#   make test   installs what is missing, then runs every test (what CI runs)
# Uses ./.venv (created with pip). With conda: `conda env create -f environment.yml`,
# `conda activate lstmlab`, then `make test VENV=$CONDA_PREFIX`.

# The interpreter that creates .venv: PYTHON if you name one (make lab PYTHON=python3.12), else the
# first of PYTHONS that runs and is Python >= 3.10 (3.10 to 3.13 are supported, torch 2.13.0 has
# wheels for 3.10 to 3.14; 3.11 comes first because it is the one CI tests). `make which-python`
# says which one it picks and why; an existing .venv is used as it is.
PYTHON  ?=
PYTHONS ?= python3.11 python3.12 python3.13 python3.10 python3 python
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lstmlab-installed
# Ignore a system pip cap on torch/torchvision: torch is pinned exactly in pyproject.toml.
export PIP_DISABLE_PIP_VERSION_CHECK = 1

.PHONY: install lab test test-fast build verify bench screenshots clean which-python

# Prints the chosen interpreter's name on stdout, the reason on stderr; exits 1 (saying what it tried) when none fits.
FIND_PYTHON = tried=""; \
	for py in $(or $(PYTHON),$(PYTHONS)); do \
	  if ! command -v "$$py" >/dev/null 2>&1; then tried="$$tried$${tried:+,} $$py (not found)"; continue; fi; \
	  v=$$("$$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
	    || { tried="$$tried$${tried:+,} $$py (found, but it does not run)"; continue; }; \
	  case "$$v" in \
	    3.1[0-9]|3.[2-9][0-9]) \
	      echo "make: using $$py (Python $$v): the first of '$(or $(PYTHON),$(PYTHONS))' that runs and is Python >= 3.10$${tried:+; skipped:$$tried}" >&2; \
	      echo "$$py"; exit 0;; \
	    *) tried="$$tried$${tried:+,} $$py (Python $$v: older than 3.10)";; \
	  esac; \
	done; \
	echo "make: no Python >= 3.10 found. Tried:$$tried. Install Python 3.10 to 3.13 (3.11 is the tested one), or name one: make PYTHON=/path/to/python3.12" >&2; \
	exit 1

which-python:
	@$(FIND_PYTHON)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { py=$$($(FIND_PYTHON)) && "$$py" -m venv $(VENV); } || exit 1
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

EDITION ?= en
lab: $(STAMP)
	$(BIN)/lstmlab lab --lang $(EDITION)

# The student versions and the Chinese edition must be fresh; then the library and grading tests, with
# nbval on every solution of both editions beside them.
# As root (CI) tests/test_jupyterhub.py must run: with LSTMLAB_REQUIRE_HUB=1 a missing prerequisite fails it.
test: export LSTMLAB_REQUIRE_HUB ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),1,0)
test: $(STAMP)
	tools/install-browser.sh || true   # Chromium for tests/test_browser.py (root: apt-get; else the test skips)
	tools/install-hub-proxy.sh || true   # configurable-http-proxy (npm) in .venv/hub-proxy for tests/test_jupyterhub.py
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/lstmlab build --check   # lessons/ and the Chinese edition fresh, catalogs complete
	@# nbval on both editions' solutions (two kernels, a notebook stays on one) runs beside pytest (two
	@# workers, tests/conftest.py LONGEST_FIRST): pytest alone leaves a third of the two cores idle (browsers,
	@# servers, process starts), and four processes keep both cores busy to the end (measured in
	@# benchmarks/README.md). Its log is printed when both are done; either failing fails the target.
	@export PATH="$(CURDIR)/$(BIN):$$PATH"; \
	$(BIN)/lstmlab verify --pytest-args -n 2 --dist loadfile > $(VENV)/verify.log 2>&1 & verify=$$!; \
	trap 'kill $$verify 2>/dev/null' INT TERM; \
	$(BIN)/python -m pytest -n 2 --dist loadgroup; tests=$$?; \
	wait $$verify; verified=$$?; \
	echo "---- lstmlab verify (run beside pytest): exit status $$verified ----"; tail -n 40 $(VENV)/verify.log; \
	test $$tests -eq 0 && test $$verified -eq 0

test-fast: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -k "not nbgrader_gives and not test_browser and not test_jupyterhub"

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
