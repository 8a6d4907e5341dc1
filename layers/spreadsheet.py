"""CSV for spreadsheets: no cell that Excel or LibreOffice would run as a formula.

Every CSV the atlas writes for people to open goes through here. Following
OWASP's CSV-injection guidance, a text cell that starts with = + - @, a tab or
a carriage return gets a leading apostrophe, so a spreadsheet shows it as text
(`=HYPERLINK(…)` from an imported figure's source stays words). Numbers stay
numbers: a float is never touched, nor text that is only a number ("-3.5").
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value):
    """The value as a spreadsheet should take it: formula-like text prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def read_cell(value: str) -> str:
    """A cell as safe_cell wrote it, back as it was: a CSV the atlas wrote (the template, the
    figures it lists) can be filled in and imported again."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def safe_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell made safe (numeric columns are left as they are)."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    return out


def excel_csv(table: pd.DataFrame) -> str:
    """The table as CSV text for Excel: a BOM (so it reads UTF-8), then safe cells."""
    return "\ufeff" + safe_table(table).to_csv(index=False, lineterminator="\n")
