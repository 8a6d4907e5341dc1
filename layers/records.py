"""Record schemas and the one validator every table goes through.

A bad value fails with the file, the row (as a person counts lines in the
file: the header is line 1) and the column named, so a reviewer can find it.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field

import pandas as pd

from layers import map_layers, plans

PLANS = plans.BY_ID.keys()  # (a live view: a plan registered later is known too)
KINDS = ("baseline", "target", "actual")
COMPARATORS = ("=", ">", "≥", "≈", "<", "≤")
QUALITIES = ("plan", "official", "news", "wikipedia", "aggregator")
PRECISIONS = ("site", "county", "city", "schematic", "unplaced")  # unplaced: no geometry
SCOPES = ("circle", "city")
# Who gives a place's position, best first (geodata.features.grade_problem holds each row to it):
# a registry package's record; a government page; the plan's own words (its name or the counties
# it names) on the atlas's boundaries; Wikipedia itself; a news site; a trade or company site; an
# aggregator (user posts, blogs, Q&A, self-media); a mirror (a copy of Wikipedia or an
# encyclopedia, or a content farm republishing others' pages); none (no source places it).
COORD_GRADES = ("registry", "official", "plan", "wikipedia", "news", "trade", "aggregator", "mirror", "none")


class RecordError(ValueError):
    """`code` and `params` name the rule broken, so a reader can word it in its own language."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str, code: str = "", **params):
        self.file, self.row, self.column, self.code, self.params = file, row, column, code, params
        where = file + (f", row {row}" if row is not None else "")
        where += f", column '{column}'" if column else ""
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "str"  # str | int | float | enum | code
    required: bool = True
    choices: tuple = ()
    pattern: str | None = None


@dataclass(frozen=True)
class Schema:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


ADCODE = r"^\d{6}$"

INDICATOR_DEFS = Schema(
    "indicator_defs",
    (
        Column("indicator", pattern=r"^[a-z][a-z0-9_]*$"),
        Column("name_zh"),
        Column("name_en"),
        Column("unit"),
        Column("unit_en"),
        Column("decimals", "int"),
        Column("city_map", "enum", choices=("yes", "no")),
    ),
    key=("indicator",),
)

INDICATOR_VALUES = Schema(
    "indicators",
    (
        Column("plan", "enum", choices=PLANS),
        Column("indicator", pattern=r"^[a-z][a-z0-9_]*$"),
        Column("scope", "enum", choices=SCOPES),
        Column("area_code", pattern=r"^(\d{6}|jiaodong)$"),
        Column("year", "int"),
        Column("kind", "enum", choices=KINDS),
        Column("value", "float"),
        Column("unit"),
        Column("comparator", "enum", choices=COMPARATORS),
        Column("original_text"),
        Column("source"),
        Column("source_quote"),
        Column("quality", "enum", choices=QUALITIES),
        Column("note", required=False),
    ),
    key=("plan", "indicator", "area_code", "year", "kind"),
)

FEATURE_LAYERS = map_layers.IDS
# What the atlas maps (lon/lat): boundaries are clipped to it, a link's extent lies
# in it. Each context region costs bytes and first-paint time in the browser, so the frame is kept to
# what the two plans need: the five cities with room to pan, the Yellow Sea
# and Korea's west coast (Jiaodong plan), and the partner regions of the
# docking plan: north to 41.5°N for all of Beijing (to 41.06°N) with a margin
# for its label; south to 29.0°N for Shanghai, Hangzhou (30.3°N), Ningbo
# (29.9°N) and all of Anhui (to 29.4°N); west to 113.5°E for all of Hebei
# (to 113.47°E) but one sliver. East stays at 127°E (Korea). Shanxi, Inner
# Mongolia, Hubei and Jiangxi reach into this frame and are drawn as context
# so that no land is left blank.
FRAME = (113.5, 29.0, 127.0, 41.5)
SHAPES = ("point", "line", "area")
DATUMS = ("WGS84", "CGCS2000", "GCJ02", "unknown")  # unknown: used as WGS-84, see the note
STATUSES = ("existing", "build", "plan", "study", "upgrade")
# A plan reference: a chapter of the Jiaodong plan, or a task of the docking plan
# with its group, e.g. 任务7·(二).
PLAN_REF = r"(前言|第.{1,3}章|任务\d{1,2}·\([一二三四五六]\))"
# One place token: a county's or city's label point or polygon, the point of a
# county's or city's coast nearest its label point, a context region's label
# point, another feature's point, or a sourced site "lat,lon".
PLACE = r"(county:\d{6}|city:\d{6}|coast:\d{6}|context:\w+|feature:[a-z0-9-]+|site:-?\d+(\.\d+)?,-?\d+(\.\d+)?)"

_FEATURE_COLUMNS = (
    Column("id", pattern=r"^[a-z0-9][a-z0-9-]*$"),
    Column("plan", "enum", choices=PLANS),
    Column("layer", "enum", choices=FEATURE_LAYERS),
    Column("category", pattern=r"^[a-z_]+$"),
    Column("name_zh"),
    Column("name_en"),
    Column("city_adcodes", required=False, pattern=r"^\d{6}(;\d{6})*$"),  # blank: outside Jiaodong or unknown
    Column("county_adcode", required=False, pattern=ADCODE),
    Column("status", "enum", required=False, choices=STATUSES),
    # chapter first (第四章·专栏2·...) or, in the docking plan, the task first (任务7·(二))
    Column("plan_ref", pattern=rf"^{PLAN_REF}.*"),
    Column("quote"),  # the plan's own words, verbatim
    Column("coord_source"),  # where the geometry comes from
    Column("coord_quote", required=False),  # the source's words that place it
    Column("coord_grade", "enum", choices=COORD_GRADES),  # who coord_source is (see COORD_GRADES)
    Column("note", required=False),
    # The same place named by the other plan: "plan|plan_ref|quote" (one row, two references)
    Column("also", required=False, pattern=rf"^({'|'.join(PLANS)})\|{PLAN_REF}[^|]*\|[^|]+$"),
)

# A place the plan names, as edited by hand: where it is, as place tokens.
FEATURE_SOURCES = Schema(
    "features",
    (
        *_FEATURE_COLUMNS[:3],
        Column("shape", "enum", choices=SHAPES),
        Column("where", required=False, pattern=rf"^{PLACE}(;{PLACE})*$"),  # blank: not placed
        Column("datum", "enum", required=False, choices=DATUMS),
        *_FEATURE_COLUMNS[3:],
    ),
    key=("id",),
)

# The same place in the store: resolved geometry, derived precision, chapter
# (of the row's own plan; the docking plan's tasks stand in its part 2) and
# task (the docking plan's task naming the place, by plan_ref or also; 0: none).
FEATURES = Schema(
    "features",
    (
        *_FEATURE_COLUMNS,
        Column("precision", "enum", choices=PRECISIONS),
        Column("chapter", "int"),
        Column("task", "int"),
    ),
    key=("id",),
)

FEATURE_CATEGORIES = Schema(
    "feature_categories",
    (
        Column("layer", "enum", choices=FEATURE_LAYERS),
        Column("category", pattern=r"^[a-z_]+$"),
        Column("name_zh"),
        Column("name_en"),
    ),
    key=("layer", "category"),
)

REGIONS = Schema(
    "regions",
    (
        Column("code", pattern=r"^(\d{6}|[A-Z]{3})$"),
        Column("kind", "enum", choices=("jiaodong_city", "shandong_city", "province", "country")),
        Column("name_zh", required=False),
        Column("name_en", required=False),
    ),
    key=("code",),
)

CITY_POSITIONING = Schema(
    "city_positioning",
    (
        Column("adcode", pattern=ADCODE),
        Column("plan", "enum", choices=PLANS),
        Column("plan_ref"),
        Column("quote"),
    ),
    key=("adcode", "plan"),
)


# The docking plan's partner regions, as the context layer codes them.
PARTNER_REGIONS = ("110000", "120000", "130000", "310000", "320000", "330000", "340000")
_PARTNERS = rf"({'|'.join(PARTNER_REGIONS)})"
GROUPS = ("一", "二", "三", "四", "五", "六")

# The docking plan's 21 tasks, one row each (geodata/sources/tasks.csv).
TASKS = Schema(
    "tasks",
    (
        Column("plan", "enum", choices=PLANS),
        Column("number", "int"),
        Column("group", "enum", choices=GROUPS),
        Column("group_title_zh"),
        Column("title_zh"),
        Column("title_en"),
        Column("lead_departments", pattern=r"^[^;]+(;[^;]+)*$"),
        # lead: named before 牵头; responsible: named in a 按职责分工负责 list (each for its own part)
        Column("lead_role", "enum", choices=("lead", "responsible")),
        Column("supporting_departments", required=False, pattern=r"^[^;]+(;[^;]+)*$"),
        Column("responsibility_quote", pattern=r"^\(.+\)$"),  # the parenthesised text, verbatim
        Column("cities", required=False, pattern=r"^\d{6}(;\d{6})*$"),  # Shandong cities the text names
        Column("partner_regions", required=False, pattern=rf"^{_PARTNERS}(;{_PARTNERS})*$"),
        Column("quote"),  # the whole task, from "1." to its closing parenthesis
        Column("note", required=False),
    ),
    key=("plan", "number"),
)

# A link a task draws between a Shandong city (or the whole province) and a
# partner region, with the words that draw it (geodata/sources/flows.csv).
FLOW_SOURCES = Schema(
    "flows",
    (
        Column("plan", "enum", choices=PLANS),
        Column("task", "int"),
        Column("city", pattern=r"^(\d{6}|province)$"),
        Column("partner", "enum", choices=PARTNER_REGIONS),
        Column("quote"),  # verbatim, from the task's own text
        Column("note", required=False),
    ),
    key=("plan", "task", "city", "partner"),
)

# In the store: with the task's group and the two ends' label points, so a
# line can be drawn and filtered without a join.
FLOWS = Schema(
    "flows",
    (
        *FLOW_SOURCES.columns[:4],
        Column("group", "enum", choices=GROUPS),
        Column("from_lon", "float"),
        Column("from_lat", "float"),
        Column("to_lon", "float"),
        Column("to_lat", "float"),
        *FLOW_SOURCES.columns[4:],
    ),
    key=FLOW_SOURCES.key,
)


def validate(df: pd.DataFrame, schema: Schema, file: str, first_row: int = 2) -> pd.DataFrame:
    """Check every cell against the schema; return a typed copy.

    `first_row` is the number a person gives the first record: 2 in a CSV
    (the header is line 1), 1 for a GeoPackage table (its fid).
    """
    missing = [n for n in schema.names if n not in df.columns]
    if missing:
        raise RecordError(file, None, missing[0], "column missing from the header")
    extra = [c for c in df.columns if c not in schema.names]
    if extra:
        raise RecordError(file, None, extra[0], "unknown column")
    out = {}
    for col in schema.columns:
        out[col.name] = [_cell(v, col, file, i + first_row) for i, v in enumerate(df[col.name])]
    typed = pd.DataFrame(out, columns=schema.names)
    if schema.key:
        dup = typed.duplicated(list(schema.key), keep="first")
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][0])
            key = ", ".join(f"{k}={typed.iloc[i][k]}" for k in schema.key)
            raise RecordError(file, i + first_row, schema.key[-1], f"duplicate record ({key})")
    return typed


def _cell(raw, col: Column, file: str, row: int):
    text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
    if not text:
        if col.required:
            raise RecordError(file, row, col.name, "value is required", "required")
        return None if col.kind in ("int", "float") else ""
    if col.kind == "int":
        if not re.fullmatch(r"-?\d+", text):
            raise RecordError(file, row, col.name, f"'{text}' is not a whole number", "whole", text=text)
        return int(text)
    if col.kind == "float":
        try:
            value = float(text)
        except ValueError:
            raise RecordError(file, row, col.name, f"'{text}' is not a number", "number", text=text) from None
        if not math.isfinite(value):
            raise RecordError(file, row, col.name, f"'{text}' is not a finite number", "finite", text=text)
        return value
    if col.kind == "enum" and text not in col.choices:
        raise RecordError(
            file,
            row,
            col.name,
            f"'{text}' is not one of {', '.join(col.choices)}",
            "choice",
            text=text,
            choices=", ".join(col.choices),
        )
    if col.pattern and not re.fullmatch(col.pattern, text):
        raise RecordError(
            file, row, col.name, f"'{text}' does not match {col.pattern}", "pattern", text=text, pattern=col.pattern
        )
    return text


def read_csv(path, schema: Schema) -> pd.DataFrame:
    """Read a human-edited source CSV (all text) and validate it."""
    file = str(path)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise RecordError(file, None, None, f"not UTF-8 text ({exc.reason})") from None
    if not rows:
        raise RecordError(file, None, None, "the file is empty")
    header, body = rows[0], rows[1:]
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise RecordError(file, i, None, f"expected {len(header)} fields, found {len(row)} (a stray comma?)")
    return validate(pd.DataFrame(body, columns=header, dtype=object), schema, file)
