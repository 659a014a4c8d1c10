# Tepat — the README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_FAMILIES ?= 20000
DEMO_SEED ?= 2025
# The `tepat` command defaults to the production settings; the demo and the dev server ask for local ones.
LOCAL := DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.django.local}
DEMO_DUPLICATES ?= 40

.PHONY: install install-dev demo serve test lint check-migrations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## demo: set up everything on SQLite under ./var/ and serve http://127.0.0.1:8000 (safe to rerun)
demo: install
	$(LOCAL) $(BIN)/tepat migrate --noinput
	$(LOCAL) $(BIN)/tepat load-regions
	$(LOCAL) $(BIN)/tepat demo-data --region 36.04 --families $(DEMO_FAMILIES) --seed $(DEMO_SEED) --duplicates $(DEMO_DUPLICATES)
	$(LOCAL) $(BIN)/tepat demo-users
	@echo "== Targeting: the official desil for the demo district (a few bad rows show the report: /penargetan/desil/)"
	$(LOCAL) $(BIN)/tepat demo-desil --region 36.04 --out var/demo-desil.csv
	@echo "== Data quality: duplicate candidates and a civil-registry match (review queue: /kualitas/)"
	$(LOCAL) $(BIN)/tepat find-duplicates --region 36.04
	$(LOCAL) $(BIN)/tepat demo-civil-extract --region 36.04 --out var/demo-dukcapil.csv
	$(LOCAL) $(BIN)/tepat match-civil-registry --region 36.04 --file var/demo-dukcapil.csv
	@echo "== Update workflow: proposals at every stage, the PSM's field work, a signed and a planned musdes, the month determined (/pemutakhiran/, /lapangan/)"
	$(LOCAL) $(BIN)/tepat demo-workflow --region 36.04
	@echo "== Programmes: one determined tahap of PKH and Sembako (/program/)"
	$(LOCAL) $(BIN)/tepat demo-programmes --region 36.04
	$(LOCAL) $(BIN)/tepat demo-public --region 36.04  # approved lists for /cek-bansos/ and /transparansi/, two citizens' reports
	@echo "== Distribution: the Sembako tahap via PT Pos, receipts, a realisation with errors and retur (/penyaluran/)"
	$(LOCAL) $(BIN)/tepat demo-distribution --region 36.04 --out var
	@echo "== Complaints: a few dozen SLRT cases, one referral, one breached SLA (/pengaduan/)"
	$(LOCAL) $(BIN)/tepat demo-grievances --region 36.04
	@echo "== Disaster relief: one flood with intake, matching to the registry, stock issued FIFO (/bencana/)"
	$(LOCAL) $(BIN)/tepat demo-relief --region 36.04
	@echo "== Renja: source 001 (Renja 2025 Dinsos Kab. Serang) imported, a first quarter entered, the checker's findings (/renja/)"
	$(LOCAL) $(BIN)/tepat demo-renja --region 36.04
	$(MAKE) --no-print-directory serve

## serve: the background worker and the web server (Ctrl-C stops both)
serve: install
	scripts/serve.sh

## test: the whole suite on SQLite, and on PostgreSQL too when TEPAT_TEST_DATABASE_URL is set
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.django.test $(BIN)/tepat makemigrations --check --dry-run
	@echo "== Test suite on SQLite"
	env -u TEPAT_TEST_DATABASE_URL -u DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEPAT_TEST_DATABASE_URL" ]; then \
		echo "== Test suite on PostgreSQL ($${TEPAT_TEST_DATABASE_URL%%\?*})"; \
		$(BIN)/pytest; \
	else \
		echo "== PostgreSQL run skipped: set TEPAT_TEST_DATABASE_URL=postgres://user@host:5432/tepat to run it"; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

check-migrations: install-dev
	DJANGO_SETTINGS_MODULE=config.django.test $(BIN)/tepat makemigrations --check --dry-run

## messages: refresh the Indonesian/English catalogues and compile them (needs GNU gettext)
messages: install-dev
	cd tepat && $(LOCAL) ../$(BIN)/tepat makemessages -l id -l en --no-obsolete --ignore "*/tests/*" && $(LOCAL) ../$(BIN)/tepat compilemessages

clean:
	rm -rf $(VENV) var/tepat.sqlite3* var/static
