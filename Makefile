# The front door. `make run` and `make test` each set up what they need (venv, packages, index).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860
CORPUS := $(wildcard corpus/*.txt corpus/*.md corpus/*.toml) assistant/red_flag_exemplars.toml
# The scope model is trained with the index: its training files, its feature rules and the rule engine that
# reads them make the index stale too.
SCOPE := $(wildcard assistant/scope_training/* assistant/scope_signals.toml assistant/spelling.toml \
	assistant/scope.py assistant/scope_train.py assistant/scope_model.py assistant/chunk_prior.py assistant/linear.py \
	assistant/scope_writers.py assistant/answerability.toml assistant/smalltalk.toml assistant/answer_policy.toml \
	assistant/answer_policy.py assistant/triage/rules.py \
	assistant/triage/context.py assistant/triage/phrases.py assistant/triage/reading.py assistant/text.py assistant/fuzzy.py)
# The build exports the encoder: a change to how it is exported makes the index stale too.
ENCODER := assistant/onnx_encoder.py
# Keep Hugging Face and Gradio from reaching for the network, at build, run and test time alike.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False
export NO_PROXY := 127.0.0.1,localhost

.PHONY: run test install index eval bench lint tools clean

run: $(STAMP) index/manifest.json
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

test: $(STAMP) index/manifest.json tools
	$(BIN)/python -m pytest

install: $(STAMP)

# Reinstall only when the dependency list changes; a second run is a no-op.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[serve,build,test]'
	touch $(STAMP)

index: index/manifest.json

index/manifest.json: $(STAMP) $(CORPUS) $(SCOPE) $(ENCODER)
	$(BIN)/python -m assistant build
	touch index/manifest.json

eval: $(STAMP) index/manifest.json
	mkdir -p artifacts
	$(BIN)/python -m assistant eval --check --json artifacts/eval.json
	$(BIN)/python -m assistant eval --check --data tests/data/independent --json artifacts/eval-independent.json

bench: $(STAMP) index/manifest.json
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check assistant tests app.py benchmarks

# Browser tests drive Debian's Chromium (Playwright's own browser download does not work offline);
# the offline test watches the server's system calls with strace; the event store's tests start
# their own throwaway PostgreSQL server from Debian's binaries.
tools:
	@command -v chromium >/dev/null && command -v strace >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium strace postgresql >/dev/null)

clean:
	rm -rf $(VENV) index artifacts var
