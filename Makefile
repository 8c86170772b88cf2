# Everything a fresh Debian machine needs: `make demo` and `make test` install what is missing.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# The reports need a CJK font and HarfBuzz's subsetter (without it WeasyPrint is 20x slower).
DEMO_APT := fonts-noto-cjk libharfbuzz-subset0
# The tests also read PDFs (poppler-utils), start PostgreSQL and drive Chromium.
TEST_APT := $(DEMO_APT) poppler-utils postgresql chromium
OUT ?= out

.PHONY: setup demo-deps test-deps demo test lint typecheck unit bench schema messages apidocs clean

# Everything the tests and the development tools need.
setup: test-deps $(DEV_STAMP)

demo-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(DEMO_APT)"

test-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT)"

.PHONY: apt-install
apt-install:
	@missing=""; \
	for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "please install:$$missing"; exit 1; fi; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(RUN_STAMP) $(DEV_STAMP)

demo: demo-deps $(RUN_STAMP)
	$(BIN)/dtm demo --out $(OUT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -n auto --dist worksteal

test: lint typecheck unit

bench: demo-deps $(DEV_STAMP)
	$(BIN)/python benchmarks/scoring.py
	$(BIN)/python benchmarks/startup.py

# The API reference from the docstrings (pdoc); tests/test_apidocs.py builds it in `make test` too.
apidocs: $(DEV_STAMP)
	$(BIN)/python docs/apidocs.py site/api

schema: $(RUN_STAMP)
	for kind in questionnaire catalogue answers result; do \
	  $(BIN)/dtm schema $$kind > questionnaires/schema/$$kind.schema.json; done

messages: $(RUN_STAMP)
	$(BIN)/pybabel extract -F babel.cfg --project=dtm --no-wrap --sort-by-file \
	  -o report_templates/locale/messages.pot .
	$(BIN)/pybabel update -i report_templates/locale/messages.pot -d report_templates/locale \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap
	rm report_templates/locale/messages.pot

clean:
	rm -rf $(VENV) $(OUT) site build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
