"""Figures a user brings (a CSV like the template): checked row by row.

One checker serves the command line (python -m geodata.indicators), the app's
upload and what the user store may serve: every rule applies to the value as
stored, after unit conversion, so anything it accepts can be stored, read back
and served. Its messages name the file, the row and the column, in English or
Chinese. Accepted rows go to the user store (layers/user_store.py).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field

import pandas as pd

from layers import records, spreadsheet

COLUMNS = records.INDICATOR_VALUES.names
YEARS = (2000, 2035)
MAX_ROWS = 5000
MAX_UPLOAD = 600_000  # bytes of CSV: base64 makes the request about 800 KB, under the 1 MB limit
# A figure a tenth of the smallest, or ten times the largest, the atlas holds for
# that indicator and scope is a wrong unit or a typing error, not a new fact.
PLAUSIBLE_FACTOR = 10
DELIMITERS = ",;\t|"
# Other units a source may use, and the factor to the indicator's unit.
CONVERSIONS = {
    ("万人", "人"): 1e-4,
    ("万人", "亿人"): 1e4,
    ("亿元", "万亿元"): 1e4,
    ("亿元", "万元"): 1e-4,
    ("亿元", "元"): 1e-8,
    ("亿美元", "万美元"): 1e-4,
    ("亿美元", "美元"): 1e-8,
    ("亿吨", "万吨"): 1e-4,
    ("亿吨", "吨"): 1e-8,
    ("平方公里", "万平方公里"): 1e4,
    ("公里", "万公里"): 1e4,
    ("万千瓦", "千瓦"): 1e-4,
    ("万千瓦", "亿千瓦"): 1e4,
}

# What the checker says, in both languages of the atlas.
MESSAGES = {
    "encoding": (
        "not UTF-8 or GBK text; save the file as CSV (UTF-8)",
        "不是 UTF-8 或 GBK 编码的文本,请另存为 CSV (UTF-8) 文件",
    ),
    "not_csv": ("not a CSV file ({detail})", "不是 CSV 文件({detail})"),
    "empty": ("the file is empty", "文件是空的"),
    "missing": (
        "column '{column}' is missing from the header (expected: {expected})",
        "表头缺少 '{column}' 列(应有: {expected})",
    ),
    "unknown_column": ("unknown column '{column}'", "未知的列 '{column}'"),
    "too_many": ("{n} rows; at most {limit} at a time", "共 {n} 行;每次最多 {limit} 行"),
    "fields": (
        "expected {expected} fields, found {found} (a stray delimiter?)",
        "应有 {expected} 个字段,实有 {found} 个(多了分隔符?)",
    ),
    "duplicate": (
        "duplicate of a figure already in the atlas or earlier in the file ({key})",
        "与地图中已有的或文件中前面的数据重复({key})",
    ),
    "indicator": ("unknown indicator '{text}'", "未知的指标 '{text}'"),
    "city": ("'{text}' is not one of the five cities ({cities})", "'{text}' 不是五市之一({cities})"),
    "circle": ("scope 'circle' goes with area_code 'jiaodong'", "scope 为 circle 时 area_code 应为 jiaodong"),
    "year": ("{text} is outside {lo}–{hi}", "{text} 不在 {lo}–{hi} 之间"),
    "negative": ("{text} is negative", "{text} 是负数"),
    "unit": (
        "'{text}' cannot be converted to {indicator}'s unit {unit}",
        "'{text}' 无法换算为 {indicator} 的单位 {unit}",
    ),
    "bound": (
        "{value} {unit} is outside the plausible range for {indicator} ({scope}): {lo}–{hi} {unit}, "
        "a tenth of the smallest to ten times the largest figure the atlas holds",
        "{value} {unit} 超出 {indicator}({scope})的合理范围: {lo}–{hi} {unit}"
        "(地图已有数据最小值的十分之一至最大值的十倍)",
    ),
    "required": ("value is required", "不能为空"),
    "whole": ("'{text}' is not a whole number", "'{text}' 不是整数"),
    "number": ("'{text}' is not a number", "'{text}' 不是数字"),
    "finite": ("'{text}' is not a finite number", "'{text}' 不是有限的数"),
    "choice": ("'{text}' is not one of {choices}", "'{text}' 不是以下之一: {choices}"),
    "pattern": ("'{text}' is not in the expected form", "'{text}' 格式不对"),
}
WHERE = {
    "en": ("{name}", "{name}, row {row}", ", column '{column}'"),
    "zh": ("{name}", "{name} 第 {row} 行", ", '{column}' 列"),
}


@dataclass(frozen=True)
class Problem:
    name: str
    row: int | None
    column: str | None
    code: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        file_only, with_row, with_column = WHERE["zh" if lang == "zh" else "en"]
        where = (with_row if self.row is not None else file_only).format(name=self.name, row=self.row)
        where += with_column.format(column=self.column) if self.column else ""
        message = MESSAGES[self.code][1 if lang == "zh" else 0].format(**self.params)
        return f"{where}: {message}"

    @classmethod
    def of(cls, exc: records.RecordError, name: str, row: int) -> Problem:
        if exc.code in MESSAGES:
            return cls(name, row, exc.column, exc.code, exc.params)
        return cls(name, row, exc.column, "pattern", {"text": str(exc).rsplit(": ", 1)[-1]})


@dataclass
class Checked:
    rows: pd.DataFrame  # the valid rows, converted to each indicator's unit
    problems: list[Problem]  # one per bad row (or one for the whole file)
    read_as: str = ""  # the encoding and delimiter the file was read with

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def whole_file(self) -> bool:
        """The file itself could not be read as a table (no row was looked at)."""
        return bool(self.problems) and self.problems[0].row is None

    @property
    def errors(self) -> list[str]:
        return [p.text() for p in self.problems]


@dataclass(frozen=True)
class Rules:
    """What a figure must satisfy, from the embedded store: units, cities and plausible ranges."""

    units: dict  # indicator -> unit
    cities: tuple  # the five cities' adcodes
    bounds: dict  # (indicator, scope) -> (lo, hi) in the indicator's unit

    @classmethod
    def of(cls, store) -> Rules:
        return cls(
            dict(zip(store.indicator_defs["indicator"], store.indicator_defs["unit"])),
            tuple(store.cities["adcode"]),
            _bounds(store.indicator_defs, store.indicators),
        )

    def served(self, user: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """The stored rows these rules accept, and a line for each left out."""
        keep, problems = [], []
        for i, r in enumerate(user.to_dict("records")):
            try:
                self.row(r, "", 0)
            except records.RecordError as exc:
                problems.append(
                    f"import {r.get('import_id')} ({r.get('imported_from')}), "
                    f"{'/'.join(str(r.get(k)) for k in records.INDICATOR_VALUES.key)}: "
                    f"{exc.column}: {Problem.of(exc, '', 0).text().split(': ', 1)[-1]}"
                )
                continue
            keep.append(i)
        return user.iloc[keep], problems

    def row(self, values: dict, name: str, line: int) -> dict:
        """One row, typed and converted to the indicator's unit; RecordError names the rule broken."""
        r = {
            col.name: records._cell(values.get(col.name, ""), col, name, line)
            for col in records.INDICATOR_VALUES.columns
        }

        def fail(column, code, **params):
            raise records.RecordError(name, line, column, code, code, **params)

        if r["indicator"] not in self.units:
            fail("indicator", "indicator", text=r["indicator"])
        if r["scope"] == "city" and r["area_code"] not in self.cities:
            fail("area_code", "city", text=r["area_code"], cities=", ".join(sorted(self.cities)))
        if (r["scope"] == "circle") != (r["area_code"] == "jiaodong"):
            fail("area_code", "circle")
        if not YEARS[0] <= r["year"] <= YEARS[1]:
            fail("year", "year", text=r["year"], lo=YEARS[0], hi=YEARS[1])
        if r["value"] < 0:
            fail("value", "negative", text=f"{r['value']:g}")
        unit = self.units[r["indicator"]]
        if r["unit"] != unit:
            factor = CONVERSIONS.get((unit, r["unit"]))
            if factor is None:
                fail("unit", "unit", text=r["unit"], indicator=r["indicator"], unit=unit)
            original = f"{_plain(r['value'])}{r['unit']}"
            r["original_text"] = r["original_text"] or original
            r["note"] = f"换算自 {original}. {r['note']}".strip()
            r["value"], r["unit"] = round(r["value"] * factor, 6), unit
        # Every rule below is on the value as stored.
        lo, hi = self.bounds.get((r["indicator"], r["scope"]), (0, math.inf))
        if not lo <= r["value"] <= hi:
            fail(
                "value",
                "bound",
                value=_number(r["value"]),
                unit=unit,
                indicator=r["indicator"],
                scope=r["scope"],
                lo=_number(lo),
                hi=_number(hi),
            )
        if not math.isfinite(r["value"]):
            fail("value", "finite", text=f"{r['value']}")
        return r


def _bounds(defs: pd.DataFrame, embedded: pd.DataFrame) -> dict:
    bounds = {}
    for indicator, unit in zip(defs["indicator"], defs["unit"]):
        for scope in records.SCOPES:
            if unit == "%":
                bounds[(indicator, scope)] = (0.0, 100.0)
                continue
            values = embedded.loc[(embedded["indicator"] == indicator) & (embedded["scope"] == scope), "value"]
            values = values[values > 0]
            if len(values):
                bounds[(indicator, scope)] = (values.min() / PLAUSIBLE_FACTOR, values.max() * PLAUSIBLE_FACTOR)
    return bounds


def _number(value: float) -> str:
    return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.3g}"


def template(store) -> str:
    """The header, one example row (a figure the atlas holds, with its source: replace it) and,
    as lines the checker skips, the values each column allows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    example = store.indicators[
        (store.indicators["indicator"] == "resident_population") & (store.indicators["scope"] == "city")
    ].iloc[0]
    writer.writerow(["" if pd.isna(example[c]) else spreadsheet.safe_cell(example[c]) for c in COLUMNS])
    allowed = {
        "plan": " | ".join(records.PLANS),
        "indicator": " | ".join(store.indicator_defs["indicator"]),
        "scope": " | ".join(records.SCOPES),
        "area_code": " | ".join(store.cities["adcode"]) + " (scope city) | jiaodong (scope circle)",
        "year": f"{YEARS[0]}–{YEARS[1]}",
        "kind": " | ".join(records.KINDS),
        "unit": "the indicator's unit, or one the atlas converts: " + " ".join(sorted({u for _, u in CONVERSIONS})),
        "comparator": " ".join(records.COMPARATORS),
        "quality": " | ".join(records.QUALITIES),
    }
    for column, values in allowed.items():
        writer.writerow([f"# {column}: {values}"])
    return out.getvalue()


def decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM), else GBK as Excel on Chinese Windows saves it (read as
    GB18030, its superset). Raises UnicodeDecodeError when neither fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 (BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "GBK"


def check(data: bytes | str, name: str, rules: Rules, existing: pd.DataFrame) -> Checked:
    """Every row of an uploaded CSV against the rules and the atlas's own data.

    `existing` holds the figures already known (embedded and imported): a row
    with the same plan, indicator, area, year and kind is a duplicate.
    """

    def whole(code, **params):
        return Checked(_empty(), [Problem(name, None, None, code, params)], read_as)

    read_as = ""
    if isinstance(data, bytes):
        try:
            data, read_as = decode(data)
        except UnicodeDecodeError:
            return whole("encoding")
    first = data.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
    read_as = ", ".join(filter(None, [read_as, f"delimiter '{'TAB' if delimiter == chr(9) else delimiter}'"]))
    try:
        table = list(csv.reader(io.StringIO(data), delimiter=delimiter))
    except csv.Error as exc:
        return whole("not_csv", detail=str(exc))
    if not table or not any(cell.strip() for cell in table[0]):
        return whole("empty")
    header = [h.strip() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return whole("missing", column=missing[0], expected=", ".join(COLUMNS))
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        return whole("unknown_column", column=unknown[0])
    lines = [
        (i, r)
        for i, r in enumerate(table[1:], start=2)
        if any(cell.strip() for cell in r) and not r[0].lstrip().startswith("#")
    ]
    if len(lines) > MAX_ROWS:
        return whole("too_many", n=len(lines), limit=MAX_ROWS)

    seen = {_key(r) for r in existing.to_dict("records")}
    good, problems = [], []
    for line, raw in lines:
        if len(raw) != len(header):
            problems.append(Problem(name, line, None, "fields", {"expected": len(header), "found": len(raw)}))
            continue
        try:
            row = rules.row(dict(zip(header, map(spreadsheet.read_cell, raw))), name, line)
        except records.RecordError as exc:
            problems.append(Problem.of(exc, name, line))
            continue
        key = _key(row)
        if key in seen:
            problems.append(Problem(name, line, None, "duplicate", {"key": " ".join(map(str, key[1:]))}))
            continue
        seen.add(key)
        good.append(row)
    return Checked(pd.DataFrame(good, columns=COLUMNS) if good else _empty(), problems, read_as)


def _plain(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _key(r: dict) -> tuple:
    return (r["plan"], r["indicator"], r["area_code"], int(r["year"]), r["kind"])


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)
