# `make demo` and `make test` each build .venv when it is missing, install, and run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean test-tl

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/rasp run rasp/lib/sort.rasp --input hello --name sorted
	$(VENV)/bin/rasp run rasp/lib/hist.rasp --input hello --name hist
	$(VENV)/bin/rasp run rasp/lib/dyck.rasp --input '(()(' --name dyck1
	$(VENV)/bin/rasp run rasp/lib/reverse.rasp --input abcde --json
	$(VENV)/bin/rasp run rasp/lib/addition.rasp --input '123+989' --name sum_digits
	$(PY) bench/interpreter/run.py --n 2000

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n 2

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/interpreter/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis

# TransformerLens export check in its own environment (the `tl` extra pulls in
# transformers and friends, too heavy for the default suite).
VENV_TL := .venv-tl
test-tl:
	test -x $(VENV_TL)/bin/python || $(PYTHON) -m venv $(VENV_TL)
	$(VENV_TL)/bin/python -m pip install -q -c constraints.txt -e '.[dev,tl]'
	$(VENV_TL)/bin/python -m pytest -q tests/model/test_export_tl.py tests/compiler/test_export_tl.py
