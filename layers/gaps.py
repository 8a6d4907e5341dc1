"""The figures the atlas lacks: for each of the five cities and each indicator, the 2020
baseline, the 2025 target and the 2025 result that no row of the figures gives.

The gaps are rows of the figures import template with the value and everything a source
says left empty, so an office holding the statistical bulletins can fill them in and
import them through the one checker (layers/imports.py). No value is ever filled here.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from layers import indicators, plans, records, spreadsheet

COLUMNS = records.INDICATOR_VALUES.names
# What the office fills in; the rest of a row names the figure.
TO_FILL = ("value", "comparator", "original_text", "source", "source_quote", "quality", "note")


def missing(figures: pd.DataFrame, defs: pd.DataFrame, cities, plan: str = plans.FIGURES) -> pd.DataFrame:
    """One template row per figure absent from `figures`: by city, then kind (baseline,
    target, actual, in their years), then indicator in the definitions' order."""
    held = set(
        figures.loc[
            (figures["plan"] == plan) & (figures["scope"] == "city"), ["indicator", "area_code", "year", "kind"]
        ]
        .astype({"year": int})
        .itertuples(index=False, name=None)
    )
    empty = dict.fromkeys(TO_FILL, "")
    rows = [
        {"plan": plan, "indicator": name, "scope": "city", "area_code": code, "year": year, "kind": kind, "unit": unit}
        | empty
        for code in cities
        for kind, year in indicators.YEARS.items()
        for name, unit in zip(defs["indicator"], defs["unit"])
        if (name, code, year, kind) not in held
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def counts(gaps: pd.DataFrame, cities) -> pd.DataFrame:
    """How many figures each city lacks of each kind: cities as rows, kinds as columns."""
    table = pd.crosstab(gaps["area_code"], gaps["kind"])
    return table.reindex(index=list(cities), columns=list(indicators.YEARS), fill_value=0)


def template(gaps: pd.DataFrame) -> str:
    """The gaps as the import template: the header, then one row per missing figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in gaps[COLUMNS].itertuples(index=False):
        writer.writerow([spreadsheet.safe_cell(v) for v in row])
    return out.getvalue()
