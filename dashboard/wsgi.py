"""The production entry point: gunicorn -c dashboard/gunicorn_conf.py dashboard.wsgi:server

Loads the store once (ATLAS_STORE names another one). A missing or damaged
store stops the server at start-up with a message naming the file, rather
than serving half the data.
"""
import os
import sys

from dashboard.app import create_app
from layers import imports
from layers.records import RecordError
from layers.store import DEFAULT_STORE, StoreError, load

try:
    _store = load(os.environ.get("ATLAS_STORE", DEFAULT_STORE))
    imports.read_user_store()  # imported figures: readable, or say so now
except (StoreError, RecordError) as exc:
    print(f"cannot start the atlas: {exc}", file=sys.stderr)
    raise SystemExit(2) from None

server = create_app(_store).server
