"""Bring new figures into the atlas: python -m geodata.indicators COMMAND

  template [OUT]     write the CSV template (to OUT, or print it)
  check FILE         check every row; one message per bad row; exit 1 on any error
  import FILE        check, then add the rows to the imported figures (nothing if any row is bad)
  list               the imported figures, by the file they came from
  remove NAME|--all  take an import (by its file name) or all imports out again

The embedded store is never written to. Imported figures live in
$ATLAS_USER_FIGURES (default ~/.local/share/jiaodong-atlas/user-figures.csv),
written atomically; the app marks them as imported.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from layers import imports
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


def _context():
    store = default_store()
    known = pd.concat([store.indicators, imports.read_user_store()[imports.COLUMNS]], ignore_index=True)
    return store.indicator_defs, list(store.cities["adcode"]), known


def _check(path: Path) -> imports.Checked:
    defs, cities, known = _context()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return imports.Checked(imports._empty(), [f"{path}: cannot read ({exc.strerror})"])
    return imports.check(data, path.name, defs, cities, known)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geodata.indicators",
                                     description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=COLUMN_HELP)
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
    except (StoreError, RecordError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    if args.command == "template":
        if args.out:
            args.out.write_text(imports.template(), encoding="utf-8")
            print(f"wrote {args.out}\n{COLUMN_HELP}")
        else:
            sys.stdout.write(imports.template())
        return 0
    if args.command in ("check", "import"):
        result = _check(args.file)
        for message in result.errors:
            print(message, file=sys.stderr)
        if not result.ok:
            print(f"{len(result.errors)} bad row(s); nothing imported" if args.command == "import"
                  else f"{len(result.errors)} bad row(s)", file=sys.stderr)
            return 1
        if args.command == "check":
            print(f"{args.file}: {len(result.rows)} row(s), all good")
            return 0
        n = imports.add_to_user_store(result.rows, args.file.name)
        print(f"imported {n} figure(s) from {args.file.name} into {imports.user_store_path()}")
        return 0
    if args.command == "list":
        store = imports.read_user_store()
        if store.empty:
            print("no imported figures")
        for name, group in store.groupby("imported_from"):
            print(f"{name}: {len(group)} figure(s), imported {group['imported_at'].iloc[0]}")
        return 0
    if not args.all and not args.name:
        print("name an import (see: list), or --all", file=sys.stderr)
        return 2
    n = imports.remove_from_user_store(None if args.all else args.name)
    print(f"removed {n} figure(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
