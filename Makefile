# Top-level tasks. `make help` lists them. Every target runs against the current Python
# environment (e.g. a venv with `pip install -e '.[test]'`).
PYTHON ?= python
PYTEST ?= $(PYTHON) -m pytest

.PHONY: help build test test-fast cert bench lint format c-test

help:
	@echo "make build      rebuild the compiled core in place after a change to csrc/"
	@echo "make test       everything (tests/unit + tests/cert): what CI and the README run"
	@echo "make test-fast  tests/unit without the slow accuracy runs (~2 min): the dev loop"
	@echo "make cert       certification checks only (tests/cert: sanitizers, 16-target cross"
	@echo "                matrix, bare metal, fuzz smoke, valgrind)"
	@echo "make c-test     the C unit tests alone (make -C csrc test)"
	@echo "make bench      every side-by-side benchmark + README table (pip install '.[bench]')"
	@echo "make lint       ruff check + ruff format --check + clang-format --dry-run + mypy"
	@echo "make format     apply ruff format and clang-format"

build:
	$(PYTHON) monitor/_build.py

test:
	$(PYTEST)

test-fast:
	$(PYTEST) tests/unit -m "not slow"

cert:
	$(PYTEST) tests/cert

c-test:
	$(MAKE) -C csrc test

bench:
	$(PYTHON) benchmarks/run_all.py

lint:
	$(PYTHON) -m ruff check monitor tests tools benchmarks
	$(PYTHON) -m ruff format --check monitor tests tools benchmarks
	$(MAKE) -C csrc format-check
	$(PYTHON) -m mypy

format:
	$(PYTHON) -m ruff format monitor tests tools benchmarks
	$(MAKE) -C csrc format
