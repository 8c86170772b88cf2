# Everything a fresh Debian machine needs: `make demo` and `make test` install what is missing.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils postgresql chromium
OUT ?= out

.PHONY: setup system-deps demo test lint typecheck unit bench schema messages apidocs clean

setup: system-deps $(STAMP)

system-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "please install:$$missing"; exit 1; fi; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: setup
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

bench: setup
	$(BIN)/python benchmarks/scoring.py
	$(BIN)/python benchmarks/startup.py

# The API reference from the docstrings (pdoc); tests/test_apidocs.py builds it in `make test` too.
apidocs: setup
	$(BIN)/python docs/apidocs.py site/api

schema: setup
	for kind in questionnaire catalogue answers result; do \
	  $(BIN)/dtm schema $$kind > questionnaires/schema/$$kind.schema.json; done

messages: setup
	$(BIN)/pybabel extract -F babel.cfg --project=dtm --no-wrap --sort-by-file \
	  -o report_templates/locale/messages.pot .
	$(BIN)/pybabel update -i report_templates/locale/messages.pot -d report_templates/locale \
	  --no-fuzzy-matching --ignore-obsolete --no-wrap
	rm report_templates/locale/messages.pot

clean:
	rm -rf $(VENV) $(OUT) site build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
