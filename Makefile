# glyphsr_mm: `make demo` runs the main job on the embedded default, `make test` runs the tests.
# Both first run tools/setup_env.sh, which is idempotent (a warm run rebuilds nothing).
PY ?= .venv/bin/python
PYTEST_ARGS ?=

.PHONY: setup demo test test-all env clean-venv

setup:
	@bash tools/setup_env.sh

demo: setup
	$(PY) tools/demo_main.py

test: setup
	$(PY) -m pytest tests $(PYTEST_ARGS)

test-all: setup
	$(PY) -m pytest tests --runslow $(PYTEST_ARGS)

env:
	$(PY) -m glyphsr_mm.cli.collect_env

clean-venv:
	rm -rf .venv
