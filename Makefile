# sandpit: `make run` serves, `make test` tests. Both set up everything they need on a fresh
# Debian machine: a virtualenv, the runner, a Docker engine, the backends' images.

VENV := .venv
PY := $(VENV)/bin/python
RUNNER := build/sandpit-runner
IMAGES ?=
PYTEST_ARGS ?=

.PHONY: run test images engine runner venv browser lint bench clean

run: venv runner engine images
	$(PY) -m service

test: venv runner engine images browser
	$(PY) -m pytest $(PYTEST_ARGS)

images: venv engine
	$(PY) -m service.images $(IMAGES)

engine:
	scripts/ensure-docker.sh

runner: $(RUNNER)

# Headless Chromium and its driver, from Debian, for the playground's end-to-end test.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null)

# Static, so the same runner works in every image whatever its libc.
$(RUNNER): service/runner/runner.c
	@command -v gcc >/dev/null || (apt-get update -qq && apt-get install -y -qq gcc libc6-dev)
	mkdir -p build
	gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

lint: venv
	$(VENV)/bin/ruff check service tests bench
	$(VENV)/bin/ruff format --check service tests bench
	$(VENV)/bin/mypy

bench: venv runner engine images
	$(PY) -m bench

clean:
	rm -rf build $(VENV)
