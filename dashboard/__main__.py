"""python -m dashboard: serve the atlas to one person (make run).

HOST and PORT override 127.0.0.1:8050; ATLAS_STORE names another store file.
A missing or damaged embedded store stops the server with a message that names
the file. A damaged user store does not: it is set aside and named, and the
embedded atlas serves. On loopback the one user may import without signing in;
on any other address editors sign in (see dashboard/editors.py), as under `make serve`.
"""

import ipaddress
import os
import sys

from dashboard import editors
from dashboard.app import create_app
from layers import user_store
from layers.records import RecordError
from layers.store import DEFAULT_STORE, StoreError, load


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    try:
        store = load(os.environ.get("ATLAS_STORE", DEFAULT_STORE))
    except (StoreError, RecordError) as exc:
        print(f"cannot start the atlas: {exc}", file=sys.stderr)
        return 2
    for notice in user_store.current().notices:
        print(f"imported figures: {notice}", file=sys.stderr)
    editing = editors.OPEN if _loopback(host) else editors.SIGNED_IN
    if editing == editors.OPEN:
        print("single-user mode on loopback: anyone on this machine may import figures", file=sys.stderr)
    create_app(store, editing).run(host=host, port=int(os.environ.get("PORT", "8050")), debug=False)
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


if __name__ == "__main__":
    sys.exit(main())
