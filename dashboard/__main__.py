"""python -m dashboard: serve the atlas.

HOST and PORT override 127.0.0.1:8050; ATLAS_STORE names another store file.
A missing or damaged store (or imported-figures file) stops the server with a message that names the
file and what is wrong, rather than serving half the data.
"""
import os
import sys

from dashboard.app import create_app
from layers import imports
from layers.records import RecordError
from layers.store import DEFAULT_STORE, StoreError, load


def main() -> int:
    try:
        store = load(os.environ.get("ATLAS_STORE", DEFAULT_STORE))
        imports.read_user_store()  # imported figures: readable, or say so now
    except (StoreError, RecordError) as exc:
        print(f"cannot start the atlas: {exc}", file=sys.stderr)
        return 2
    create_app(store).run(host=os.environ.get("HOST", "127.0.0.1"),
                          port=int(os.environ.get("PORT", "8050")), debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
