# Two commands: `make run` and `make test` (see README.md).
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
PORT   ?= 5000
export PORT

# The suite runs on PostgreSQL and Redis; these defaults are the local services.
TEST_DATABASE_URL ?= $(if $(DATABASE_URL),$(DATABASE_URL),postgresql://postgres@127.0.0.1:5432/test)
TEST_REDIS_URL    ?= $(if $(REDIS_URL),$(REDIS_URL),redis://127.0.0.1:6379/0)

.PHONY: install run test test-fast lint bench translations clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed translations

translations: $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations

run: install
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo --if-demo
	$(BIN)/flask --app app signing-demo --if-demo
	$(BIN)/flask --app app serve --port $(PORT)

# Lighthouse for the accessibility tests (tests/browser/lighthouse.py), pinned by its lock file
LIGHTHOUSE = tools/lighthouse/node_modules/lighthouse/cli/index.js
$(LIGHTHOUSE): tools/lighthouse/package-lock.json
	npm ci --prefix tools/lighthouse --prefer-offline --no-audit --no-fund --loglevel=error
	touch $@

test: install $(LIGHTHOUSE)
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-fast: install
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
	  $(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

extract-messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) .pytest_cache
