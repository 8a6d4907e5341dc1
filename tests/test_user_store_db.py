"""The imported figures' database, on SQLite and on a real PostgreSQL server the test starts:
many processes importing at once keep every row exactly once; an unreachable database
leaves the embedded atlas serving."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from layers import user_store
from tests.conftest import REPO
from tests.test_imports import GOOD, HEADER

PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A throw-away PostgreSQL cluster on a loopback port (Debian's postgresql package)."""
    if not PG_BIN:
        pytest.fail("PostgreSQL is not installed (make test installs Debian's postgresql)")
    bindir = PG_BIN[-1]
    data = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # initdb refuses root
    if as_postgres:
        shutil.chown(data, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        [*as_postgres, bindir / "initdb", "-D", data, "-A", "trust", "-U", "atlas", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_postgres,
            bindir / "pg_ctl",
            "-D",
            data,
            "-w",
            "-l",
            data / "log",
            "start",
            "-o",
            f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://atlas@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, bindir / "pg_ctl", "-D", data, "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return {"ATLAS_DATA_DIR": str(tmp_path)}
    url = request.getfixturevalue("postgres")
    user_store.open_store(url).remove(None)  # each test starts empty
    return {"ATLAS_DATA_DIR": str(tmp_path), "ATLAS_DATABASE_URL": url}


def test_fifty_imports_at_once_from_fifty_processes_keep_every_row(database, tmp_path):
    files = []
    for i in range(50):
        f = tmp_path / f"p{i:02}.csv"
        area = ("370200", "370600", "370700", "371000", "371100")[i % 5]
        f.write_text(
            f"{HEADER}\n{GOOD.replace(',371000,', f',{area},').replace(',2026,', f',{2000 + i // 5},')}\n",
            encoding="utf-8",
        )
        files.append(f)
    env = {**os.environ, **database}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "geodata.indicators", "import", str(f)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 50, [o[1][-300:] for o, p in zip(outs, procs) if p.returncode]
    url = database.get("ATLAS_DATABASE_URL") or f"sqlite:///{tmp_path / 'user-figures.sqlite'}"
    kept = user_store.open_store(url).rows()
    assert len(kept) == 50 and sorted(kept["imported_from"]) == [f.name for f in files]
    assert len(kept.drop_duplicates(["area_code", "year"])) == 50


def test_a_figure_imported_twice_at_once_is_kept_once(database, tmp_path, store):
    from concurrent.futures import ThreadPoolExecutor

    from tests.test_imports import _check

    url = database.get("ATLAS_DATABASE_URL") or f"sqlite:///{tmp_path / 'user-figures.sqlite'}"
    db = user_store.open_store(url)
    rows = _check(store, f"{HEADER}\n{GOOD}\n").rows

    def attempt(i):
        try:
            return db.add(rows, f"race{i}.csv", "test")
        except user_store.Duplicate:
            return 0

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(attempt, range(8))) == [0] * 7 + [1]
    assert len(db.rows()) == 1 and len(db.imports()) == 1
    assert db.remove(int(db.imports()["id"][0])) == 1 and db.rows().empty


def test_an_unreachable_database_leaves_the_embedded_atlas_serving(store, monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"postgresql+psycopg://atlas@127.0.0.1:{_free_port()}/none")
    from dashboard.page import all_figures

    figures = all_figures(store)
    assert len(figures) == len(store.indicators) and not figures["imported"].any()
    assert any("cannot be used" in p for p in user_store.problems())
    run = subprocess.run(
        [sys.executable, "-m", "geodata.indicators", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    assert run.returncode == 2 and "cannot be reached" in run.stderr
