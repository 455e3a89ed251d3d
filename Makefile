# `make demo` and `make test` each build .venv when it is missing, install, and run.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test test-browser lint bench bench-siit clean test-tl grok grok-small

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

DEMO := runs/demo
VOCAB10 := 0,1,2,3,4,5,6,7,8,9

# The main job end to end: a hypothesis run, compiled, verified; a model trained on
# the same task; and the question whether it implements the hypothesis.
demo: install
	$(VENV)/bin/rasp run rasp/lib/sort.rasp --input hello --name sorted
	$(VENV)/bin/rasp run rasp/lib/dyck.rasp --input '(()(' --name dyck1
	$(VENV)/bin/rasp run rasp/lib/addition.rasp --input '123+989' --name sum_digits
	$(VENV)/bin/rasp compile tasks/hypotheses/sort.rasp --name sort_rank --vocab $(VOCAB10) \
		--max-len 5 -o $(DEMO)/sort_rank.safetensors --plot $(DEMO)/plots
	$(VENV)/bin/rasp verify tasks/hypotheses/sort.rasp --name sort_rank --vocab $(VOCAB10) --max-len 5
	$(VENV)/bin/rasp train sort5 -o $(DEMO)/sort5 --until 0.99 --quiet
	$(VENV)/bin/rasp compare --model $(DEMO)/sort5/model.safetensors \
		--program tasks/hypotheses/sort.rasp --name sort_rank --task sort5 \
		--inputs 400 --steps 100 --report $(DEMO)/compare
	@echo "open $(DEMO)/compare/report.html"

test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n 2

# The compare report rendered in headless Chromium (Debian's package, installed when
# missing; needs root, as on CI): screenshot, images decoded, verdict shown.
test-browser: install
	command -v chromium >/dev/null || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	$(PY) -m pytest -q -m browser tests/compare/test_report_browser.py

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/interpreter/run.py

# Models trained by interchange intervention training to implement one of two
# hypotheses of the same behaviour (sort5, hist, induction), each compared with both:
# task accuracy, own IIA, confusion matrix of verdicts (bench/siit/run.py). Rerunning
# resumes; one task at a time with ONLY=hist.
bench-siit: install
	$(PY) bench/siit/run.py $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis

# TransformerLens export check in its own environment (the `tl` extra pulls in
# transformers and friends, too heavy for the default suite).
VENV_TL := .venv-tl
test-tl:
	test -x $(VENV_TL)/bin/python || $(PYTHON) -m venv $(VENV_TL)
	$(VENV_TL)/bin/python -m pip install -q -c constraints.txt -e '.[dev,tl]'
	$(VENV_TL)/bin/python -m pytest -q tests/model/test_export_tl.py tests/compiler/test_export_tl.py

# Grokking as in Nanda et al. (2023): (a + b) mod 113, one layer, 30% of pairs, full
# batch, 30000 steps; curves and Fourier progress measures in runs/grok-p113/. On a
# 2-core CPU it groks at step 12700 (21 min) and ends after 48 min. Rerunning resumes.
grok: install
	$(VENV)/bin/rasp grok --p 113 -o runs/grok-p113

# The same setup at p = 53, 40% of pairs, lr 3e-3: memorises by step 100 and groks
# (held-out accuracy >= 99%) at step 2200, in under 2 minutes on a CPU.
grok-small: install
	$(VENV)/bin/rasp grok --p 53 --frac 0.4 --lr 3e-3 --steps 3000 -o runs/grok-p53
