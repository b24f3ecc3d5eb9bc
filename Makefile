# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export HF_HUB_OFFLINE=1
export HF_HUB_DISABLE_TELEMETRY=1
export GRADIO_ANALYTICS_ENABLED=False
export ANONYMIZED_TELEMETRY=False

.PHONY: run test install index browser bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is pinned to the CPU build first: otherwise sentence-transformers
# pulls several GB of CUDA libraries.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

# Serve the chat on http://127.0.0.1:7860 (indexes corpus/ first if needed).
run: install
	$(BIN)/python app.py $(ARGS)

index: install
	$(BIN)/python -m ingest $(ARGS)

# A headless Chromium for the browser test (Debian's package; Playwright's
# own browser download needs internet).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium (apt-get install chromium) for the browser test."; fi; }

test: install browser
	$(BIN)/python -m pytest $(ARGS)

# Speed and scale (docs/performance.md): ingest, queries at 5 / 780 / 5,780
# articles, start-up, memory, and the textbook baseline beside each. Up to an
# hour the first time (it builds the 5,780-article index into a cache);
# `make bench ARGS=--quick` does the two smaller sizes. Not part of `make test`.
bench: install
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf .index .pytest_cache
