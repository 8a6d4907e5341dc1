import os
import shutil
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


class OutsideRepository(PermissionError):
    pass


# The project's shared folder stands beside a checkout (and beside CI's clone); a clone
# with nothing next to it must pass, so nothing in the suite or the app may read it.
BESIDE = f"{REPO.parent / 'shared'}{os.sep}"


def _repository_only(event, args):
    if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if path.startswith(BESIDE):
        raise OutsideRepository(f"read outside the repository: {path}")


sys.addaudithook(_repository_only)
# Imported figures go to a throw-away place, never to the user's own store.
os.environ["ATLAS_DATA_DIR"] = tempfile.mkdtemp(prefix="atlas-test-")
os.environ.pop("ATLAS_DATABASE_URL", None)
os.environ.pop("ATLAS_EDITOR_TOKEN", None)


@pytest.fixture(scope="session")
def store():
    from layers.store import default_store

    return default_store()


@pytest.fixture(scope="session")
def seed_text():
    """The Jiaodong plan, as the repository ships it."""
    from layers import plans

    return plans.text("jiaodong-2021")


@pytest.fixture(scope="session")
def docking_text():
    from layers import plans

    return plans.text("shandong-docking-2025")


@pytest.fixture(scope="session")
def app(store):
    from dashboard.app import create_app
    from dashboard.editors import OPEN

    return create_app(store, OPEN)  # one user on loopback, as `make run` serves


@pytest.fixture(scope="session")
def server_url(app):
    """The real app on a loopback port, in a thread, for the browser tests."""
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


@pytest.fixture
def damaged_store(tmp_path, store):
    """A copy of the store with one SQL statement applied: what does loading it say?"""

    def make(sql: str):
        copy = tmp_path / "atlas.gpkg"
        shutil.copy(store.path, copy)
        with sqlite3.connect(copy) as db:
            db.execute(sql)
        return copy

    return make
