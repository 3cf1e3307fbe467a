# Two commands set everything up on a fresh Debian-like machine (root or sudo):
#   make demo   install what is missing, then run the pipeline on the sample episode
#   make test   install what is missing, then run the test suite
# Both are safe to run again: installed pieces are detected and skipped.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := ffmpeg espeak-ng fonts-dejavu-core chromium redis-server poppler-utils
# Small CPUs: keep OpenMP threads from spinning while they wait (see DESIGN.md).
export OMP_WAIT_POLICY := PASSIVE
export KMP_BLOCKTIME := 0
# pip warns about every optional local index it cannot find; keep its real errors.
QUIET_PIP = 2> >(grep -v 'is ignored' >&2)

.PHONY: setup system demo test test-slow bench serve screenshots clean

setup: system $(VENV)/.installed

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# torch is pinned to the CPU build on its own (pip would otherwise pull CUDA wheels);
# openai-whisper goes in without its declared deps (triton is GPU-only, ~1 GB).
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0 $(QUIET_PIP)
	$(BIN)/pip install -q -r requirements.txt $(QUIET_PIP)
	$(BIN)/pip install -q --no-deps openai-whisper==20250625 $(QUIET_PIP)
	$(BIN)/pip install -q --no-deps -e . $(QUIET_PIP)
	$(BIN)/python -c "import pipeline, ffmpeg, moviepy, whisper, faster_whisper, pysrt, googleapiclient, apscheduler, requests, starlette, huey"
	touch $@

demo: setup
	$(BIN)/webseries sample
	$(BIN)/webseries transcode ep00-sample
	# subtitles: real French from the bundled Whisper base weights (offline); lint shows what a reviewer would fix
	$(BIN)/webseries subtitles ep00-sample --lang fr,bm
	$(BIN)/webseries subtitles lint ep00-sample || true
	$(BIN)/webseries subtitles burn ep00-sample --profile whatsapp
	$(BIN)/webseries clips ep00-sample
	$(BIN)/webseries trailer
	# offline packs: a community-screening kit (open build/packs/projection/index.html) and a WhatsApp pack
	$(BIN)/webseries package screening ep00-sample
	$(BIN)/webseries package whatsapp ep00-sample
	# publish: a local emulator of YouTube, Facebook, TikTok and Instagram runs in the background,
	# receives the sample episode (scheduled tomorrow 18:00 Bamako) and its first clip on all four
	# platforms (TikTok and Instagram post it now: they post at the time), and stops; no account needed
	$(BIN)/webseries publish demo ep00-sample
	$(BIN)/webseries metrics demo

# The studio on this machine only (http://127.0.0.1:8000/); create the first account with
#   .venv/bin/webseries users add NAME --role admin
serve: setup
	$(BIN)/webseries serve

# Two workers, a test file each: most tests wait on ffmpeg, a browser or a server, so the second
# core shortens the run on CI's two cores. `pytest` alone (one process) runs the same suite.
test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Long media and real model weights: not part of the default run.
test-slow: setup
	$(BIN)/python -m pytest -m "slow or heavy"

# bench/episode.py: a 2-minute hard episode through the whole chain (BASELINE=main also runs that
# ref's recipe in the same run, side by side); the 10-minute figure: bench/episode.py --minutes 10.
bench: setup
	$(BIN)/python bench/episode.py --minutes 2 $(if $(BASELINE),--baseline $(BASELINE))
	$(BIN)/python bench/transcode.py
	$(BIN)/python bench/publish.py
	$(BIN)/python bench/metrics.py
	$(BIN)/python bench/clips.py
	$(BIN)/python bench/voiceover.py
	$(BIN)/python bench/subtitles.py
	$(BIN)/python bench/studio.py

# The studio's pictures in README.md, taken by the browser tests.
screenshots: setup
	WEBSERIES_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest tests/web -k browser

clean:
	rm -rf build .pytest_cache
