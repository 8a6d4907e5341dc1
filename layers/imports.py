"""Figures a user brings (a CSV like the template): checked row by row, kept apart.

The embedded store is never written to. Accepted figures go to a user store
(a CSV, written atomically) that can be listed and emptied again; the app
shows them marked as imported. One checker serves the command line
(python -m geodata.indicators) and the app's upload.
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from layers import records

COLUMNS = records.INDICATOR_VALUES.names
USER_COLUMNS = [*COLUMNS, "imported_from", "imported_at"]
YEARS = (2000, 2035)
MAX_ROWS = 5000
MAX_UPLOAD = 600_000  # bytes of CSV: base64 makes the request about 800 KB, under the 1 MB limit
DEFAULT_USER_STORE = Path.home() / ".local" / "share" / "jiaodong-atlas" / "user-figures.csv"
# Other units a source may use, and the factor to the indicator's unit.
CONVERSIONS = {
    ("万人", "人"): 1e-4, ("万人", "亿人"): 1e4,
    ("亿元", "万亿元"): 1e4, ("亿元", "万元"): 1e-4, ("亿元", "元"): 1e-8,
    ("亿美元", "万美元"): 1e-4, ("亿美元", "美元"): 1e-8,
    ("亿吨", "万吨"): 1e-4, ("亿吨", "吨"): 1e-8,
    ("平方公里", "万平方公里"): 1e4, ("公里", "万公里"): 1e4,
    ("万千瓦", "千瓦"): 1e-4, ("万千瓦", "亿千瓦"): 1e4,
}


def user_store_path() -> Path:
    return Path(os.environ.get("ATLAS_USER_FIGURES", DEFAULT_USER_STORE))


@dataclass
class Checked:
    rows: pd.DataFrame  # the valid rows, converted to each indicator's unit
    errors: list[str]  # one message per bad row, naming the row and the column

    @property
    def ok(self) -> bool:
        return not self.errors


def template() -> str:
    """The header a user fills in; the README and `template` explain each column."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(COLUMNS)
    return out.getvalue()


def check(data: bytes | str, name: str, indicator_defs: pd.DataFrame, city_codes, existing: pd.DataFrame) -> Checked:
    """Every row of an uploaded CSV against the schema and the atlas's own data.

    `existing` holds the figures already known (embedded and imported): a row
    with the same plan, indicator, area, year and kind is a duplicate.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return Checked(_empty(), [f"{name}: not UTF-8 text ({exc.reason}); save the file as UTF-8 CSV"])
    try:
        table = list(csv.reader(io.StringIO(data)))
    except csv.Error as exc:
        return Checked(_empty(), [f"{name}: not a CSV file ({exc})"])
    if not table or not any(cell.strip() for cell in table[0]):
        return Checked(_empty(), [f"{name}: the file is empty"])
    header = [h.strip() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return Checked(_empty(), [(f"{name}: column '{missing[0]}' is missing from the header "
                                  f"(expected: {', '.join(COLUMNS)})")])
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        return Checked(_empty(), [f"{name}: unknown column '{unknown[0]}'"])
    body = [r for r in table[1:] if any(cell.strip() for cell in r)]
    if len(body) > MAX_ROWS:
        return Checked(_empty(), [f"{name}: {len(body)} rows; at most {MAX_ROWS} at a time"])

    units = dict(zip(indicator_defs["indicator"], indicator_defs["unit"]))
    cities = set(city_codes)
    seen = {_key(r) for r in existing.to_dict("records")}
    good, errors = [], []
    for line, raw in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            errors.append(f"{name}, row {line}: expected {len(header)} fields, found {len(raw)} (a stray comma?)")
            continue
        try:
            row = _row(dict(zip(header, raw)), name, line, units, cities)
        except records.RecordError as exc:
            errors.append(str(exc))
            continue
        key = _key(row)
        if key in seen:
            errors.append(f"{name}, row {line}: duplicate of a figure already in the atlas or earlier "
                          f"in the file ({' '.join(map(str, key[1:]))})")
            continue
        seen.add(key)
        good.append(row)
    return Checked(pd.DataFrame(good, columns=COLUMNS) if good else _empty(), errors)


def _row(values: dict, name: str, line: int, units: dict, cities: set) -> dict:
    r = {col.name: records._cell(values.get(col.name, ""), col, name, line)
         for col in records.INDICATOR_VALUES.columns}

    def fail(column, message):
        raise records.RecordError(name, line, column, message)

    if r["indicator"] not in units:
        fail("indicator", f"unknown indicator '{r['indicator']}'")
    if r["scope"] == "city" and r["area_code"] not in cities:
        fail("area_code", f"'{r['area_code']}' is not one of the five cities ({', '.join(sorted(cities))})")
    if (r["scope"] == "circle") != (r["area_code"] == "jiaodong"):
        fail("area_code", "scope 'circle' goes with area_code 'jiaodong'")
    if not YEARS[0] <= r["year"] <= YEARS[1]:
        fail("year", f"{r['year']} is outside {YEARS[0]}–{YEARS[1]}")
    if r["value"] < 0:
        fail("value", f"{r['value']:g} is negative")
    unit = units[r["indicator"]]
    if r["unit"] != unit:
        factor = CONVERSIONS.get((unit, r["unit"]))
        if factor is None:
            fail("unit", f"'{r['unit']}' cannot be converted to {r['indicator']}'s unit {unit}")
        original = f"{_plain(r['value'])}{r['unit']}"
        r["original_text"] = r["original_text"] or original
        r["note"] = f"换算自 {original}. {r['note']}".strip()
        r["value"], r["unit"] = round(r["value"] * factor, 6), unit
    return r


def _plain(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _key(r: dict) -> tuple:
    return (r["plan"], r["indicator"], r["area_code"], int(r["year"]), r["kind"])


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


# ---- the user store

def read_user_store(path: Path | None = None) -> pd.DataFrame:
    """Imported figures (empty if none). A damaged file is an error that names it."""
    path = path or user_store_path()
    if not path.exists():
        return pd.DataFrame(columns=USER_COLUMNS)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise records.RecordError(str(path), None, None, f"cannot read the imported figures ({exc})") from None
    missing = [c for c in USER_COLUMNS if c not in df.columns]
    if missing:
        raise records.RecordError(str(path), None, missing[0], "column missing from the imported figures")
    typed = records.validate(df[COLUMNS].astype(object), records.INDICATOR_VALUES, str(path))
    typed["imported_from"] = df["imported_from"].to_numpy()
    typed["imported_at"] = df["imported_at"].to_numpy()
    return typed


def add_to_user_store(rows: pd.DataFrame, source_name: str, path: Path | None = None) -> int:
    path = path or user_store_path()
    current = read_user_store(path)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new = rows.assign(imported_from=source_name, imported_at=stamp)
    _write_atomic(pd.concat([current, new], ignore_index=True), path)
    return len(new)


def remove_from_user_store(source_name: str | None, path: Path | None = None) -> int:
    """Remove one import (by the file name it came from), or all of them."""
    path = path or user_store_path()
    current = read_user_store(path)
    keep = current[current["imported_from"] != source_name] if source_name else current.iloc[0:0]
    _write_atomic(keep, path)
    return len(current) - len(keep)


def _write_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write a temporary file beside the target, then rename: a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".user-figures-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df[USER_COLUMNS].to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_cache: dict = {}


def figures(embedded: pd.DataFrame, path: Path | None = None) -> pd.DataFrame:
    """The embedded figures and the imported ones, each marked; re-read only when
    the user store changes. A damaged user store raises, naming the file."""
    path = path or user_store_path()
    try:
        stat = path.stat()
        stamp = (str(path), stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        stamp = (str(path), None, None)
    if _cache.get("stamp") != stamp or _cache.get("embedded") is not embedded:
        user = read_user_store(path)
        merged = pd.concat([embedded.assign(imported=False),
                            user[COLUMNS].assign(imported=True)], ignore_index=True)
        _cache.update(stamp=stamp, embedded=embedded, merged=merged)
    return _cache["merged"]
