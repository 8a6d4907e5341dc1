# Two commands on a fresh Debian machine with Python 3.11:
#   make run   - set up and serve the dashboard on the embedded store
#   make test  - set up (browser included) and run the whole suite
#   make serve - the production server (gunicorn, WORKERS=3) on the same HOST and PORT
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8050
# Debian packages: chromium renders the PNG exports (through kaleido) and
# drives the browser tests; Noto CJK renders Chinese in it.
DEB := chromium fonts-noto-cjk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve test build bench load bench-exports bench-peers deb clean

run: $(VENV)/.app deb
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m dashboard

serve: $(VENV)/.app deb
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c dashboard/gunicorn_conf.py dashboard.wsgi:server

test: $(VENV)/.dev deb
	$(BIN)/python -m pytest

build: $(VENV)/.dev
	$(BIN)/python -m geodata.build

bench: $(VENV)/.dev deb
	$(BIN)/python -m bench.run

load: $(VENV)/.dev
	$(BIN)/python -m bench.load

bench-exports: $(VENV)/.dev deb
	$(BIN)/python -m bench.exports_load

# Streamlit gets its own environment (bench/out/peers/venv); Leaflet comes from npm.
bench-peers: $(VENV)/.dev deb
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y npm; }
	$(BIN)/python -m bench.compare

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.app $@

deb:
	@missing=""; for p in $(DEB); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache
