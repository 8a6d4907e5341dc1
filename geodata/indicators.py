"""Bring new figures into the atlas: python -m geodata.indicators COMMAND

  template [OUT]     write the CSV template: the header, one example row, the allowed values
  check FILE         check every row; one message per bad row; exit 1 on any error
  import FILE        check, then add the rows as one import (nothing if any row is bad)
  list               the imports: number, file, who, when, how many figures
  remove N|NAME|--all  take an import out again (by its number or file name), or all

The embedded store is never written to. Imported figures live in a database:
$ATLAS_DATABASE_URL (PostgreSQL, shared by several instances) or else SQLite in
$ATLAS_DATA_DIR (default ~/.local/share/jiaodong-atlas/user-figures.sqlite).
The command line is an editor's tool: it records the system user as who imported.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from layers import imports, user_store
from layers.records import RecordError
from layers.store import StoreError, default_store

COLUMN_HELP = """Columns (one row per figure):
  plan           jiaodong-2021 (or shandong-docking-2025)
  indicator      an indicator id, e.g. gdp, resident_population, urbanization_rate
  scope          city, or circle for the whole Jiaodong circle
  area_code      the city's 6-digit adcode (370200 Qingdao, 370600 Yantai, 370700 Weifang,
                 371000 Weihai, 371100 Rizhao), or jiaodong with scope circle
  year           2000-2035
  kind           baseline, target or actual
  value          a number; in the indicator's unit, or a unit the atlas converts (万元, 万亿元, 人 ...)
  unit           the unit of value as given
  comparator     = > ≥ ≈ < ≤ (the source's wording: 超过 >, 以上 ≥, 左右 ≈)
  original_text  the figure as the source writes it
  source         a URL or a document name
  source_quote   the source's words that give the figure
  quality        official, news, wikipedia, aggregator (or plan)
  note           optional"""


def _check(path: Path) -> imports.Checked:
    store, user = default_store(), user_store.current()
    known = pd.concat([store.indicators, user.rows()[imports.COLUMNS]], ignore_index=True)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return imports.Checked(
            imports._empty(), [imports.Problem(path.name, None, None, "not_csv", {"detail": exc.strerror})]
        )
    return imports.check(data, path.name, imports.Rules.of(store), known)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m geodata.indicators",
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=COLUMN_HELP,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("template").add_argument("out", nargs="?", type=Path)
    sub.add_parser("check").add_argument("file", type=Path)
    sub.add_parser("import").add_argument("file", type=Path)
    sub.add_parser("list")
    remove = sub.add_parser("remove")
    remove.add_argument("name", nargs="?")
    remove.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (StoreError, RecordError, user_store.Unavailable, sa.exc.DBAPIError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    if args.command == "template":
        text = imports.template(default_store())
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"wrote {args.out}\n{COLUMN_HELP}")
        else:
            sys.stdout.write(text)
        return 0
    user = user_store.current()
    for notice in user.notices:
        print(f"note: {notice}", file=sys.stderr)
    if args.command in ("check", "import"):
        result = _check(args.file)
        for message in result.errors:
            print(message, file=sys.stderr)
        if result.read_as:
            print(f"read as {result.read_as}", file=sys.stderr)
        if not result.ok:
            print(
                f"{len(result.errors)} bad row(s); nothing imported"
                if args.command == "import"
                else f"{len(result.errors)} bad row(s)",
                file=sys.stderr,
            )
            return 1
        if args.command == "check":
            print(f"{args.file}: {len(result.rows)} row(s), all good")
            return 0
        try:
            n = user.add(result.rows, args.file.name, f"{getpass.getuser()} (command line)")
        except user_store.Duplicate as exc:
            print(f"{args.file.name}: {exc}", file=sys.stderr)
            return 1
        print(f"imported {n} figure(s) from {args.file.name} into {user.where}")
        return 0
    done = user.imports()
    if args.command == "list":
        if done.empty:
            print("no imported figures")
        for r in done.itertuples():
            print(f"#{r.id} {r.source_name}: {r.figures} figure(s), imported {r.imported_at} by {r.imported_by}")
        return 0
    if not args.all and not args.name:
        print("name an import by its number or file name (see: list), or --all", file=sys.stderr)
        return 2
    if args.all:
        targets = [None]
    else:
        chosen = done[(done["id"].astype(str) == args.name.lstrip("#")) | (done["source_name"] == args.name)]
        if chosen.empty:
            print(f"no import '{args.name}' (see: list)", file=sys.stderr)
            return 2
        targets = list(chosen["id"])
    n = sum(user.remove(None if t is None else int(t)) for t in targets)
    print(f"removed {n} figure(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
