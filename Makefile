# Two commands do everything on a fresh machine with Python 3.11:
#   make run    create .venv, install, build the index if missing, start the bot (or console chat)
#   make test   create .venv, install, lint and run the tests
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch. On these machines pip finds it on disk; elsewhere set
# TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu" to avoid the CUDA build.
TORCH_INDEX ?=

.PHONY: run test index bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(TORCH_INDEX)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(BIN)/.installed
	HF_HUB_OFFLINE=1 $(BIN)/python bot.py

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

index: $(BIN)/.installed
	HF_HUB_OFFLINE=1 $(BIN)/python bot.py index

bench: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench

clean:
	rm -rf $(VENV) index/current index/build-*
