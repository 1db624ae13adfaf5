# Two commands: `make run` and `make test` (see README.md).
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
PORT   ?= 5000
export PORT

# The suite runs on the servers TEST_DATABASE_URL / DATABASE_URL and TEST_REDIS_URL / REDIS_URL
# name, else on its own embedded PostgreSQL and redis-server (tests/services.py).

.PHONY: install system-packages run test test-s3 test-fast lint bench translations clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed translations

translations: $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations -D "messages wtforms"

system-packages:
	@.ci/system-packages

# An instance/ from before PostgreSQL became the embedded default held only demo data on SQLite:
# it is made anew.
run: system-packages install
	@if [ -e instance/cchc.sqlite3 ]; then \
	  echo "instance/ held the old demo database (SQLite): made anew on the embedded PostgreSQL"; \
	  rm -rf instance; fi
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo --if-demo
	$(BIN)/flask --app app signing-demo --if-demo
	$(BIN)/flask --app app serve --port $(PORT)

# Lighthouse for the accessibility tests (tests/browser/lighthouse.py), pinned by its lock file
LIGHTHOUSE = tools/lighthouse/node_modules/lighthouse/cli/index.js
$(LIGHTHOUSE): tools/lighthouse/package-lock.json
	npm ci --prefix tools/lighthouse --prefer-offline --no-audit --no-fund --loglevel=error
	touch $@

# then the tests that measure the machine's speed (marked `alone`: Lighthouse's performance score),
# one at a time with nothing else running, then the storage group again with every file in an S3
# bucket (a moto server the run starts, tests/s3.py); every run goes to the end, and any failing
# fails `make test` (PYTEST_ARGS naming other tests leaves the `alone` run nothing: pytest's 5)
test: system-packages install $(LIGHTHOUSE)
	$(BIN)/pytest -n 2 -m "not alone" $(PYTEST_ARGS); disk=$$?; \
	$(BIN)/pytest -m alone $(PYTEST_ARGS); alone=$$?; [ $$alone -eq 5 ] && alone=0; \
	$(BIN)/pytest -n 2 -m storage --storage=s3 $(PYTEST_ARGS); s3=$$?; \
	exit $$(( disk || alone || s3 ))

test-s3: system-packages install
	$(BIN)/pytest -n 2 -m storage --storage=s3 $(PYTEST_ARGS)

test-fast: system-packages install
	$(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: system-packages install
	$(BIN)/python -m bench

extract-messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) .pytest_cache
