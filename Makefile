# One entry point for newcomers and CI: every target builds .venv first if needed.
# The first interpreter that runs and that durable-rules supports (3.11 or 3.12).
PYTHON ?= $(shell for p in python3.11 python3.12 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 13))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The documentation (docs/, Sphinx with MyST Markdown), built by `test` and `docs`. Warnings are errors
# and references nitpicky: a broken link, section or repository path fails the build. -E rereads every
# page, so an earlier build never hides a warning.
DOCS_OUT := build/docs
DOCS_PORT ?= 8001
# The package's own bytecode (.pyc): an editable install compiles none, and where PYTHONDONTWRITEBYTECODE
# is set nothing else ever writes them, which costs every cold start about 30 ms. An installed wheel's
# are compiled by pip as it installs it (pip's default; not with --no-compile).
COMPILE = $(BIN)/python -m compileall -q -j 0 __init__.py entry.py cli.py commands engine web
DOCS_BUILD = $(BIN)/sphinx-build -E -n -W --keep-going -q -b html docs $(DOCS_OUT)

.PHONY: run serve test docs mutate mutate-code bench clean

$(INSTALLED): pyproject.toml
	@test -n "$(PYTHON)" || { \
		echo "selfcheck needs Python 3.11 or 3.12 (durable-rules 2.0.28 does not import on 3.13; see docs/durable-rules.md)."; \
		echo "None was found as python3.11, python3.12 or python3. Install one, e.g. 'apt-get install python3.11 python3.11-venv python3.11-dev',"; \
		echo "'brew install python@3.12' or 'pyenv install 3.11', or name it: make PYTHON=/path/to/python3.11 $(MAKECMDGOALS)"; \
		exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# durable-rules ships only C sources; its setup.py drops optimisation unless CC carries it.
	# setuptools notes, for every editable install through an import hook, that a folder named like the
	# package in the working directory would take precedence; the package here is the top folder itself,
	# so no such folder can exist, and the note is filtered as setuptools' warnings module intends.
	PYTHONWARNINGS="ignore:Editable installation:UserWarning" CC="gcc -O2" $(BIN)/pip install --quiet -e '.[test]'
	# mypy sees the package under its import name through this link (pyproject.toml, [tool.mypy])
	mkdir -p $(VENV)/typecheck && ln -sfn $(CURDIR) $(VENV)/typecheck/selfcheck
	$(COMPILE)
	touch $@

run: $(INSTALLED)
	$(BIN)/selfcheck report questionnaires/lanzarote-2/parties/albania.yaml --format markdown

# The web questionnaire on http://127.0.0.1:8000/, over the round's parties/ folder (Albania).
serve: $(INSTALLED)
	$(BIN)/selfcheck serve questionnaires/lanzarote-2/parties

test: $(INSTALLED)
	scripts/ensure-system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/selfcheck lint
	$(DOCS_BUILD)
	$(BIN)/pytest

# Builds the documentation and serves it on this machine only (Ctrl-C to stop).
docs: $(INSTALLED)
	$(DOCS_BUILD)
	@echo "The documentation is at http://127.0.0.1:$(DOCS_PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(DOCS_OUT) $(DOCS_PORT)

# Mutation testing of the rulebook: would the rule cases, the published golden and the counterfactual
# cases notice a wrong condition? Prints the survivors; fails below 95 % (THRESHOLD=...). Not in `test`.
THRESHOLD ?= 95
mutate: $(INSTALLED)
	$(BIN)/python scripts/mutate --threshold $(THRESHOLD)

# Mutation testing of the Python core: mutmut 3 over each module of mutation/tests-by-module.toml against the
# tests listed for it (scripts/mutate-code). Fails below 90 % of non-equivalent mutants killed, per module or
# overall; its last line is the score. Not in `test`: a first run takes long, later ones test only what changed.
mutate-code: $(INSTALLED)
	nice $(BIN)/python scripts/mutate-code --threshold 90

# Speed and memory, measured against the physical limits; writes bench/RESULTS.md (a few minutes).
bench: $(INSTALLED)
	$(COMPILE)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis $(DOCS_OUT)
