"""Indicator views per city: stored values and the views derived from them.

Derived views (change, required annual growth) are computed here, never
stored. A city without the inputs a view needs gets no value: the map shows
it as "no data", never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers import classify, plans

LEVEL_VIEWS = ("baseline", "target", "actual")
DERIVED_VIEWS = ("change", "growth", "progress")
PIVOT = {"progress": 100.0}  # where a diverging view changes colour (0 unless named)
STATUS_VIEW = "status"  # on or off track: whether the 2025 result reached the target
VIEWS = LEVEL_VIEWS + DERIVED_VIEWS + (STATUS_VIEW,)
STATUS_ORDER = ("met", "short", "unclear")  # then no_data
YEARS = {"baseline": 2020, "target": 2025, "actual": 2025}
MAX_CLASSES = 5
# How values are put into classes, natural breaks by default.
SCHEMES = {
    "natural_breaks": classify.fisher_jenks,
    "quantiles": classify.quantiles,
    "equal_interval": classify.equal_interval,
}


@dataclass(frozen=True)
class CityValue:
    adcode: str
    value: float | None  # in the view's unit; None = no data
    comparator: str  # = > ≥ ≈
    inputs: tuple  # the stored records the value rests on


# stored()'s answers for the last frame asked about: the figures served are one frame
# until an import changes them (user_store.figures), and a switch table asks 300 times.
_stored: dict = {"frame": None, "rows": {}}


def stored(indicators: pd.DataFrame, indicator: str, kind: str, plan: str = plans.FIGURES) -> pd.DataFrame:
    """City records of one indicator and kind, indexed by adcode (not to be modified)."""
    if _stored["frame"] is not indicators:  # (holding the frame keeps its id from being reused)
        _stored.update(frame=indicators, rows={})
    rows, key = _stored["rows"], (indicator, kind, plan)
    if key not in rows:
        rows[key] = indicators[
            (indicators["plan"] == plan)
            & (indicators["scope"] == "city")
            & (indicators["indicator"] == indicator)
            & (indicators["kind"] == kind)
            & (indicators["year"] == YEARS[kind])
        ].set_index("area_code")
    return rows[key]


def required_growth(baseline: float, target: float, years: int) -> float:
    """Average annual growth (%) that takes baseline to target in `years`."""
    if baseline <= 0 or target <= 0 or years <= 0:
        raise ValueError("growth needs positive values and a positive span")
    return ((target / baseline) ** (1.0 / years) - 1.0) * 100.0


def derived_comparator(target_cmp: str, baseline_cmp: str) -> str:
    """How exact a target-minus-baseline figure is, given how exact its inputs are.

    With an exact baseline the bound carries over (target > x gives change > y);
    anything approximate or bounded on the baseline side leaves only ≈.
    """
    if baseline_cmp == "=":
        return target_cmp
    return "≈"


def city_status(indicators: pd.DataFrame, indicator: str, adcodes: list[str]) -> list[tuple]:
    """Per city: (status, target, actual), status as target_status reads it."""
    targets = city_view(indicators, indicator, "target", adcodes)
    actuals = city_view(indicators, indicator, "actual", adcodes)
    return [(target_status(t, a), t, a) for t, a in zip(targets, actuals)]


def city_view(indicators: pd.DataFrame, indicator: str, view: str, adcodes: list[str]) -> list[CityValue]:
    if view == STATUS_VIEW:
        raise ValueError("the status view is categorical: use city_status")
    if view not in VIEWS:
        raise ValueError(f"unknown view '{view}'")
    if view in LEVEL_VIEWS:
        recs = stored(indicators, indicator, view)
        out = []
        for code in adcodes:
            if code in recs.index:
                r = recs.loc[code]
                out.append(CityValue(code, float(r["value"]), r["comparator"], (r,)))
            else:
                out.append(CityValue(code, None, "", ()))
        return out
    base = stored(indicators, indicator, "baseline")
    target = stored(indicators, indicator, "target")
    actual = stored(indicators, indicator, "actual")
    out = []
    for code in adcodes:
        if code not in base.index or code not in target.index:
            out.append(CityValue(code, None, "", ()))
            continue
        b, t = base.loc[code], target.loc[code]
        if view == "progress":
            out.append(_progress(code, b, t, actual.loc[code] if code in actual.index else None))
            continue
        if view == "change":
            value = float(t["value"]) - float(b["value"])
        else:
            value = required_growth(float(b["value"]), float(t["value"]), YEARS["target"] - YEARS["baseline"])
        out.append(CityValue(code, value, derived_comparator(t["comparator"], b["comparator"]), (b, t)))
    return out


def _progress(code, b, t, a) -> CityValue:
    """How much of the planned change the 2025 result achieved, in percent
    (100 = the target reached). Any bound or estimate among the inputs makes
    the result approximate; no result, or no planned change, gives no data."""
    planned = float(t["value"]) - float(b["value"])
    if a is None or planned == 0:
        return CityValue(code, None, "", ())
    value = (float(a["value"]) - float(b["value"])) / planned * 100.0
    exact = all(r["comparator"] == "=" for r in (a, b, t))
    return CityValue(code, value, "=" if exact else "≈", (b, t, a))


def class_breaks(values, scheme: str = "natural_breaks") -> list[float]:
    """Upper bounds of the classes, by the scheme (natural breaks, quantiles or
    equal intervals). Fewer classes when there are fewer distinct values; none
    without data."""
    vals = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    distinct = np.unique(vals)
    if len(distinct) == 0:
        return []
    if len(distinct) <= MAX_CLASSES:
        return [float(v) for v in distinct]
    bins = SCHEMES[scheme](vals, MAX_CLASSES)
    return [float(b) for b in np.unique(bins)]


def shared_breaks(
    indicators: pd.DataFrame, indicator: str, view: str, adcodes: list[str], scheme: str = "natural_breaks"
) -> list[float]:
    """Breaks for a view. The level views of one indicator share them, so a
    colour means the same value in 2020, in the 2025 target and in 2025."""
    views = LEVEL_VIEWS if view in LEVEL_VIEWS else (view,)
    pooled = [cv.value for v in views for cv in city_view(indicators, indicator, v, adcodes)]
    return class_breaks(pooled, scheme)


def class_of(value: float | None, breaks: list[float]) -> int:
    """Index of the class a value falls in; -1 for no data."""
    if value is None or not breaks:
        return -1
    return int(min(np.searchsorted(breaks, value, side="left"), len(breaks) - 1))


def target_status(target: CityValue, actual: CityValue, margin: float = 0.05) -> str:
    """Whether a 2025 result reached its target: met, short, unclear or no_data.

    Targets are read as floors ("超过600万" is > 600). A result given as a bound
    or an estimate decides only when it clears the target by itself (a bound at
    or above the target) or by the margin (an estimate); otherwise "unclear".
    """
    if target.value is None or actual.value is None:
        return "no_data"
    t, a = target.value, actual.value
    if actual.comparator in (">", "≥"):
        return "met" if a >= t else "unclear"
    if actual.comparator == "≈" or target.comparator == "≈":
        if a >= t * (1 + margin):
            return "met"
        return "short" if a <= t * (1 - margin) else "unclear"
    if target.comparator == ">":
        return "met" if a > t else "short"
    return "met" if a >= t else "short"


@dataclass(frozen=True)
class CircleTotal:
    kind: str
    plan: CityValue | None  # the circle's own figure (the plan's), if any
    cities_sum: float | None  # the five cities added up, if all five have the figure
    sum_comparator: str  # = if every part is exact; > if all are floors; else ≈
    missing: tuple  # cities without the figure


def circle_totals(indicators: pd.DataFrame, indicator: str, adcodes: list[str], additive: bool) -> list[CircleTotal]:
    """The circle's own figure beside the cities' sum, per kind. Rates are not
    summed; a sum over fewer than all cities is not given."""
    out = []
    for kind in LEVEL_VIEWS:
        circle = indicators[
            (indicators["scope"] == "circle")
            & (indicators["indicator"] == indicator)
            & (indicators["kind"] == kind)
            & (indicators["year"] == YEARS[kind])
        ]
        plan = (
            CityValue("jiaodong", float(circle.iloc[0]["value"]), circle.iloc[0]["comparator"], (circle.iloc[0],))
            if len(circle)
            else None
        )
        values = city_view(indicators, indicator, kind, adcodes)
        missing = tuple(cv.adcode for cv in values if cv.value is None)
        total = sum(cv.value for cv in values) if additive and not missing else None
        cmps = {cv.comparator for cv in values}
        cmp = "=" if cmps == {"="} else ">" if cmps <= {">", "≥", "="} and cmps & {">", "≥"} else "≈"
        out.append(CircleTotal(kind, plan, total, cmp, missing))
    return out
