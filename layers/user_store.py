"""Figures that editors imported: a database that enforces what must be unique.

SQLite by default (a file in the atlas's data folder, in WAL mode so readers
never wait for a writer); PostgreSQL when ATLAS_DATABASE_URL is set, so that
several instances behind a proxy share one store. Each import is one
transaction and records who brought it, when and from which file; one import
can be removed whole. The embedded store is never written to.

A damaged SQLite file is set aside (renamed, and named in the log and in the
app) and an empty one started; a row the checker's rules would refuse (a
value written by hand, say) is left out of what the atlas serves and named.
Either way the embedded atlas still serves.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from layers import records

log = logging.getLogger("atlas")
COLUMNS = records.INDICATOR_VALUES.names
KEY = records.INDICATOR_VALUES.key
IMPORT_COLUMNS = ["import_id", "imported_from", "imported_by", "imported_at"]
_TYPES = {"float": sa.Float, "int": sa.Integer}

metadata = sa.MetaData()
IMPORTS = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_name", sa.Text, nullable=False),
    sa.Column("imported_by", sa.Text, nullable=False),
    sa.Column("imported_at", sa.Text, nullable=False),
    sqlite_autoincrement=True,  # ids never reused: (count, max id) tells a change
)
FIGURES = sa.Table(
    "figures",
    metadata,
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    *[
        sa.Column(c.name, _TYPES.get(c.kind, sa.Text), nullable=not c.required)
        for c in records.INDICATOR_VALUES.columns
    ],
    sa.UniqueConstraint(*KEY, name="one_figure_per_key"),
)


def data_dir() -> Path:
    return Path(os.environ.get("ATLAS_DATA_DIR") or Path.home() / ".local" / "share" / "jiaodong-atlas")


def database_url() -> str:
    return os.environ.get("ATLAS_DATABASE_URL") or f"sqlite:///{data_dir() / 'user-figures.sqlite'}"


class Duplicate(ValueError):
    """A figure with the same plan, indicator, area, year and kind is already imported."""


class Unavailable(RuntimeError):
    """The database cannot be reached; the embedded atlas still serves."""


@dataclass
class UserStore:
    url: str
    engine: sa.Engine | None = None
    notices: list[str] = field(default_factory=list)  # what was set aside or migrated, for editors

    @property
    def where(self) -> str:
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    def _db(self) -> sa.Engine:
        if self.engine is None:
            raise Unavailable(f"the imported figures' database ({self.where}) cannot be reached")
        return self.engine

    def add(self, rows: pd.DataFrame, source_name: str, who: str) -> int:
        """All rows in one transaction, or none; the database refuses a duplicate key."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        values = [{c: _plain(r[c]) for c in COLUMNS} for r in rows.to_dict("records")]
        try:
            with self._db().begin() as conn:
                import_id = conn.execute(
                    IMPORTS.insert().values(source_name=source_name, imported_by=who, imported_at=stamp)
                ).inserted_primary_key[0]
                conn.execute(FIGURES.insert(), [{**v, "import_id": import_id} for v in values])
        except sa.exc.IntegrityError:
            raise Duplicate(
                "a figure in this file is already imported (same plan, indicator, area, "
                "year and kind); nothing was imported"
            ) from None
        return len(values)

    def remove(self, import_id: int | None) -> int:
        """Remove one import (by its number), or all of them with None; the figures removed."""
        with self._db().begin() as conn:
            where = (FIGURES.c.import_id == import_id) if import_id is not None else sa.true()
            n = conn.execute(sa.delete(FIGURES).where(where)).rowcount
            conn.execute(sa.delete(IMPORTS).where((IMPORTS.c.id == import_id) if import_id is not None else sa.true()))
        return n

    def imports(self) -> pd.DataFrame:
        """One row per import: number, file, who, when and how many figures."""
        q = (
            sa.select(
                IMPORTS.c.id,
                IMPORTS.c.source_name,
                IMPORTS.c.imported_by,
                IMPORTS.c.imported_at,
                sa.func.count(FIGURES.c.import_id).label("figures"),
            )
            .select_from(IMPORTS.outerjoin(FIGURES))
            .group_by(IMPORTS.c.id)
            .order_by(IMPORTS.c.id)
        )
        with self._db().connect() as conn:
            return pd.DataFrame(
                conn.execute(q).mappings().all(), columns=["id", "source_name", "imported_by", "imported_at", "figures"]
            )

    def stamp(self) -> tuple:
        """Changes whenever an import is added or removed, in any process."""
        with self._db().connect() as conn:
            return tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(IMPORTS.c.id))).one())

    def rows(self) -> pd.DataFrame:
        """Every imported figure, as stored, with its import's file, editor and date."""
        q = (
            sa.select(
                FIGURES, IMPORTS.c.source_name.label("imported_from"), IMPORTS.c.imported_by, IMPORTS.c.imported_at
            )
            .join(IMPORTS)
            .order_by(IMPORTS.c.id)
        )
        with self._db().connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[*COLUMNS, *IMPORT_COLUMNS])


def _plain(value):
    """numpy scalars and NaN as the database driver wants them."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


# SQLite's words for a file that is not a sound database. Only such a file is set aside: one
# that is busy (another process creating it or switching it to WAL at the same moment) is
# tried again, since setting a live store aside loses every figure it holds.
DAMAGED = ("file is not a database", "database disk image is malformed")
OPEN_TRIES, OPEN_WAIT_S = 20, 0.25


def open_store(url: str | None = None) -> UserStore:
    """Open (and create) the store; set a damaged SQLite file aside; migrate a CSV store."""
    url = url or database_url()
    store = UserStore(url)
    parsed = sa.engine.make_url(url)
    sqlite_file = Path(parsed.database) if parsed.get_backend_name() == "sqlite" and parsed.database else None
    if sqlite_file:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    set_aside = False
    for attempt in range(OPEN_TRIES):
        engine = _engine(url)
        try:
            _create(engine)
            store.engine = engine
            break
        except sa.exc.DatabaseError as exc:
            engine.dispose()
            damaged = any(words in _reason(exc) for words in DAMAGED)
            if sqlite_file and not damaged and attempt < OPEN_TRIES - 1:
                time.sleep(OPEN_WAIT_S)  # busy: another process is creating or writing it
                continue
            if sqlite_file and sqlite_file.exists() and damaged and not set_aside:
                set_aside = True
                aside = _set_aside(sqlite_file)
                store.notices.append(
                    f"{sqlite_file} could not be read ({_reason(exc)}); "
                    f"it was set aside as {aside} and an empty store started"
                )
                log.error(store.notices[-1])
                continue
            store.notices.append(
                f"the imported figures' database ({store.where}) cannot be used "
                f"({_reason(exc)}); serving the embedded figures only"
            )
            log.error(store.notices[-1])
            break
    if store.engine is not None:
        _migrate_csv(store, data_dir() / "user-figures.csv")
    return store


def _engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _):
            # WAL: readers never wait for the writer; the timeout queues writers
            # from other processes instead of failing them.
            dbapi_conn.execute("PRAGMA busy_timeout = 60000")
            dbapi_conn.execute("PRAGMA journal_mode = WAL")
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _create(engine: sa.Engine) -> None:
    try:
        metadata.create_all(engine)
    except sa.exc.OperationalError as exc:
        if "already exists" not in str(exc):  # another process created it first
            raise
    with engine.connect() as conn:  # the schema is what this code writes
        conn.execute(sa.select(*[FIGURES.c[c] for c in COLUMNS]).limit(1)).all()
        conn.execute(sa.select(IMPORTS).limit(1)).all()


def _set_aside(path: Path) -> Path:
    aside = path.with_name(f"{path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.replace(Path(f"{aside}{suffix}"))
    return aside


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0]


def _migrate_csv(store: UserStore, csv_path: Path) -> None:
    """The store of earlier versions (a CSV): moved in once, by the import it came from,
    then renamed *.migrated so nothing is lost and it is not read again."""
    if not csv_path.is_file():
        return
    try:
        old = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8")
        groups = old.groupby(["imported_from", "imported_at"], sort=False)
        with store._db().begin() as conn:
            for (name, at), group in groups:
                import_id = conn.execute(
                    IMPORTS.insert().values(
                        source_name=name, imported_by=f"migrated from {csv_path.name}", imported_at=at
                    )
                ).inserted_primary_key[0]
                conn.execute(
                    FIGURES.insert(),
                    [
                        {c: _migrated(r.get(c, ""), c) for c in COLUMNS} | {"import_id": import_id}
                        for r in group.to_dict("records")
                    ],
                )
    except sa.exc.IntegrityError:
        store.notices.append(f"{csv_path}: its figures are already in the database; not migrated again")
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, pd.errors.ParserError, sa.exc.DBAPIError) as exc:
        store.notices.append(f"{csv_path} could not be migrated ({exc}); left as it is")
        log.error(store.notices[-1])
        return
    else:
        store.notices.append(f"{csv_path}: {len(old)} figure(s) moved into {store.where}")
    csv_path.replace(csv_path.with_name(csv_path.name + ".migrated"))
    log.warning(store.notices[-1])


def _migrated(text: str, column: str):
    kind = next(c.kind for c in records.INDICATOR_VALUES.columns if c.name == column)
    if kind not in _TYPES:
        return text
    return (int(float(text)) if kind == "int" else float(text)) if text.strip() else None


# ---- the store of this process, and what the atlas serves from it

_open: dict[str, UserStore] = {}
_cache: dict = {}


def current() -> UserStore:
    """The store ATLAS_DATABASE_URL (or the data folder) names, opened once per process."""
    url = database_url()
    if url not in _open:
        _open[url] = open_store(url)
    return _open[url]


def _after_fork() -> None:
    # A pooled connection must not cross a fork (gunicorn preloads, then forks workers).
    for store in _open.values():
        if store.engine is not None:
            store.engine.dispose(close=False)


os.register_at_fork(after_in_child=_after_fork)


def figures(embedded: pd.DataFrame, rules) -> pd.DataFrame:
    """The embedded figures and the imported ones (marked `imported`), re-read only when an
    import is added or removed. Imported rows the rules refuse are left out and named."""
    store = current()
    try:
        stamp = (store.url, store.stamp())
    except (Unavailable, sa.exc.DBAPIError) as exc:
        if _cache.get("stamp") != ("unavailable", store.url):
            log.error("imported figures unavailable: %s", _reason(exc))
        stamp = ("unavailable", store.url)
    if _cache.get("stamp") != stamp or _cache.get("embedded") is not embedded:
        user = store.rows() if stamp[0] != "unavailable" else pd.DataFrame(columns=[*COLUMNS, *IMPORT_COLUMNS])
        kept, problems = rules.served(user)
        for problem in problems:
            log.error("imported figure left out: %s", problem)
        merged = pd.concat([embedded.assign(imported=False), kept[COLUMNS].assign(imported=True)], ignore_index=True)
        _cache.update(stamp=stamp, embedded=embedded, merged=merged, problems=problems)
    return _cache["merged"]


def version():
    """What the figures served were read at: changes with every import or removal."""
    return _cache.get("stamp")


def problems() -> list[str]:
    """What the store could not serve: set-aside files, left-out rows, an unreachable database."""
    return [*current().notices, *_cache.get("problems", [])]
