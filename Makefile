PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOAK_SECONDS ?= 60

.PHONY: run test lint bench soak eval constraints clean vendor-graphiql

# constraints.txt pins the versions make test last passed with (a reproducible install); the
# ranges a user of the package may have are in pyproject.toml.
$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

# `make run PORT=8080 HOST=0.0.0.0`; without them, GUIDELINE_KG_PORT and GUIDELINE_KG_HOST (or .env),
# then 127.0.0.1:8000 (graphql_api/settings.py)
run: $(STAMP)
	$(BIN)/guideline-kg serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: lint
	$(BIN)/python -m pytest

# style (ruff) and the architecture (import contracts in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

eval: $(STAMP)
	$(BIN)/python eval/resolver_eval.py --check
	$(BIN)/python eval/letters_eval.py

# The figures are judged here, not in `make test` (which runs bench --quick and a short load as smoke
# checks only): a machine busy with other work moves a ratio or a p99 with nothing broken.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# the load run judged: exit 1 on any error, a p99 above its bound or memory growth of 10 % or more
soak: $(STAMP)
	$(BIN)/python loadtest/run.py --seconds $(SOAK_SECONDS)

constraints: $(STAMP)
	{ sed -n '1,2p' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^guideline-kg'; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache

# GraphiQL's files (graphql_api/graphiql/) from the npm registry at pinned versions: /graphql in a
# browser loads nothing from another host. See graphql_api/graphiql/THIRD_PARTY.md.
vendor-graphiql:
	scripts/vendor_graphiql.sh
