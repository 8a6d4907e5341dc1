"""The production entry point: gunicorn -c dashboard/gunicorn_conf.py dashboard.wsgi:server

Loads the store once (ATLAS_STORE names another one). A missing or damaged
store stops the server at start-up with a message naming the file, rather
than serving half the data. The imported figures' database (ATLAS_DATABASE_URL,
else SQLite in ATLAS_DATA_DIR) is opened here too: a damaged one is set aside
and named, and the embedded atlas serves. Editors sign in with ATLAS_EDITOR_TOKEN.
"""

import os
import sys

from dashboard import editors
from dashboard.app import create_app
from layers import user_store
from layers.records import RecordError
from layers.store import DEFAULT_STORE, StoreError, load

try:
    _store = load(os.environ.get("ATLAS_STORE", DEFAULT_STORE))
except (StoreError, RecordError) as exc:
    print(f"cannot start the atlas: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
for _notice in user_store.current().notices:
    print(f"imported figures: {_notice}", file=sys.stderr)
if not os.environ.get(editors.TOKEN_ENV):
    print(f"no {editors.TOKEN_ENV} set: nobody can import figures on this server", file=sys.stderr)

server = create_app(_store, editors.SIGNED_IN).server
