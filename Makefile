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
# drives the browser tests; Noto CJK renders Chinese in it; WenQuanYi Micro Hei
# is the font a briefing's PDF embeds (dashboard/deck_files.py). The suite also
# starts a throw-away PostgreSQL server (the shared user store's other backend).
# npm rebuilds the page's plotly.js to check it is what assets/plotly/build makes:
# the machine's own Node.js often bundles npm (NodeSource's nodejs conflicts with
# Debian's npm package), so npm is installed only when no npm command exists.
DEB := chromium fonts-noto-cjk fonts-wqy-microhei
DEB_TEST := $(DEB) postgresql
# Browser and server tests, each module run SOAK times by `make soak`: a flaky test is a bug.
SOAK ?= 10
SOAK_TESTS ?= $(wildcard tests/test_*browser*.py) tests/test_serve.py tests/test_editors.py tests/test_user_store_db.py
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve test soak build bench load bench-exports bench-peers readme-images deb deb-test npm clean

run: $(VENV)/.app deb
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m dashboard

serve: $(VENV)/.app deb
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c dashboard/gunicorn_conf.py dashboard.wsgi:server

test: $(VENV)/.dev deb-test npm
	$(BIN)/python -m pytest

soak: $(VENV)/.dev deb-test npm
	@failed=0; for t in $(SOAK_TESTS); do \
	  passed=0; for i in $$(seq $(SOAK)); do \
	    $(BIN)/python -m pytest -q -p no:cacheprovider $$t >/dev/null 2>&1 && passed=$$((passed + 1)); \
	  done; echo "$$t: $$passed/$(SOAK) runs passed"; \
	  [ $$passed = $(SOAK) ] || failed=1; \
	done; exit $$failed

build: $(VENV)/.dev
	$(BIN)/python -m geodata.build

bench: $(VENV)/.dev deb
	$(BIN)/python -m bench.run

load: $(VENV)/.dev
	$(BIN)/python -m bench.load

bench-exports: $(VENV)/.dev deb
	$(BIN)/python -m bench.exports_load

# Streamlit gets its own environment (bench/out/peers/venv); Leaflet comes from npm.
bench-peers: $(VENV)/.dev deb npm
	$(BIN)/python -m bench.compare

# The README's six pictures (assets/readme/): the layout browser test's screenshots and a
# briefing's decks drawn by pdftoppm and LibreOffice. Those two (Debian's poppler-utils and
# libreoffice-impress) are needed here only, so no other target installs them.
readme-images: $(VENV)/.dev deb
	$(BIN)/python -m bench.readme_images

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.app $@

deb deb-test: PACKAGES = $(if $(filter deb-test,$@),$(DEB_TEST),$(DEB))
deb deb-test:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi

npm:
	@command -v npm >/dev/null || { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y npm; }

clean:
	rm -rf $(VENV) .pytest_cache
