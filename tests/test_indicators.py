"""Indicator records against the plan, and the derived views."""

import math
import re

import pytest

from layers import indicators as ind

CITIES = ["370200", "370600", "370700", "371000", "371100"]


def _one_unit_of_last_digit(text: str) -> float:
    number = re.search(r"\d+(?:\.\d+)?", text).group(0)
    return 10 ** -len(number.split(".")[1]) if "." in number else 1.0


@pytest.mark.parametrize("indicator", ["resident_population", "gdp"])
def test_city_2020_figures_add_up_to_the_plans_total(store, indicator):
    recs = store.indicators
    total = recs[
        (recs.indicator == indicator) & (recs.area_code == "jiaodong") & (recs.kind == "baseline") & (recs.year == 2020)
    ].iloc[0]
    cities = recs[
        (recs.indicator == indicator) & (recs.scope == "city") & (recs.kind == "baseline") & (recs.year == 2020)
    ]
    assert sorted(cities.area_code) == CITIES
    # The plan states 3243万 and 3.1万亿: agree to one unit of the last digit it gives.
    unit = _one_unit_of_last_digit(total.original_text)
    scale = 10000 if "万亿" in total.original_text else 1
    assert abs(cities.value.sum() / scale - total.value / scale) < unit


def test_every_plan_quote_is_in_the_plan(store, seed_text):
    plan_rows = store.indicators[store.indicators.quality == "plan"]
    assert len(plan_rows) > 40
    for r in plan_rows.itertuples():
        assert r.source_quote in seed_text, (r.indicator, r.source_quote)


def test_comparators_follow_the_plans_wording(store):
    rules = [
        ("左右", "≈"),
        ("超过", ">"),
        ("突破", ">"),
        ("以上", "≥"),
        ("多", ">"),
        ("余", ">"),
        ("过", ">"),
        ("达到", "≥"),
    ]
    for r in store.indicators[store.indicators.quality == "plan"].itertuples():
        expected = next((c for word, c in rules if word in r.original_text), "=")
        if r.kind == "baseline" and expected == "≥" and "达到" in r.original_text:
            expected = "="  # a baseline that "reached" a figure equals it
        if expected == "=" and re.fullmatch(r"\d+\.\d万亿元", r.original_text):
            expected = "≈"  # 3.1万亿: rounded to 1000亿元
        assert r.comparator == expected, (r.indicator, r.original_text, r.comparator)


def test_an_estimate_is_stored_as_one_and_never_reads_as_a_result(store):
    """预计 (expected) is an estimate: ≈, so the on-track view cannot call it met."""
    estimates = store.indicators[store.indicators.source_quote.str.contains("预计")]
    assert len(estimates) >= 2
    assert (estimates.comparator == "≈").all(), estimates[["area_code", "year", "comparator"]]
    qingdao = estimates[(estimates.area_code == "370200") & (estimates.year == 2025)].iloc[0]
    target = ind.CityValue("370200", 16500.0, "≥", ())
    actual = ind.CityValue("370200", float(qingdao.value), qingdao.comparator, ())
    assert ind.target_status(target, actual) == "unclear"


def test_city_positioning_quotes_are_in_the_plan(store, seed_text):
    for quote in store.cities.positioning_zh:
        assert quote and quote in seed_text


def test_every_record_has_a_source_and_a_known_unit(store):
    defs = store.indicator_defs.set_index("indicator")
    for r in store.indicators.itertuples():
        assert r.source and r.source_quote
        assert r.unit == defs.loc[r.indicator, "unit"]


def test_required_growth():
    assert ind.required_growth(100, 161.051, 5) == pytest.approx(10.0, abs=1e-9)
    assert ind.required_growth(100, 100, 5) == 0
    assert ind.required_growth(200, 100, 5) < 0
    with pytest.raises(ValueError):
        ind.required_growth(0, 100, 5)


def test_derived_comparator():
    assert ind.derived_comparator(">", "=") == ">"
    assert ind.derived_comparator("=", "≈") == "≈"
    assert ind.derived_comparator("≈", "=") == "≈"


def test_missing_inputs_give_no_data_not_zero(store):
    # The plan sets 城区人口 targets but no source gives a 2020 baseline.
    change = ind.city_view(store.indicators, "urban_district_population", "change", CITIES)
    assert all(cv.value is None for cv in change)
    target = ind.city_view(store.indicators, "urban_district_population", "target", CITIES)
    assert [cv.value for cv in target] == [600, 350, 200, 100, 100]
    assert {cv.comparator for cv in target} == {">"}
    assert ind.class_of(None, [1, 2, 3]) == -1


def test_level_views_share_class_breaks(store):
    shared = {v: ind.shared_breaks(store.indicators, "gdp", v, CITIES) for v in ind.LEVEL_VIEWS}
    assert shared["baseline"] == shared["target"] == shared["actual"]
    # The same value falls in the same class whichever view shows it.
    breaks = shared["baseline"]
    assert ind.class_of(12400.56, breaks) == ind.class_of(12400.56, breaks)
    assert ind.class_of(min(breaks), breaks) == 0
    assert ind.class_of(max(breaks), breaks) == len(breaks) - 1


def test_class_breaks():
    assert ind.class_breaks([]) == []
    assert ind.class_breaks([None, 3.0, 3.0]) == [3.0]
    breaks = ind.class_breaks([1, 2, 3, 10, 11, 12, 50, 51, 100, 101, 500])
    assert len(breaks) == ind.MAX_CLASSES and breaks[-1] == 500
    assert all(a < b for a, b in zip(breaks, breaks[1:]))


def test_growth_view_uses_the_five_year_span(store):
    import pandas as pd

    rows = pd.DataFrame(
        [
            dict(
                plan="jiaodong-2021",
                indicator="gdp",
                scope="city",
                area_code="370200",
                year=2020,
                kind="baseline",
                value=100.0,
                comparator="=",
            ),
            dict(
                plan="jiaodong-2021",
                indicator="gdp",
                scope="city",
                area_code="370200",
                year=2025,
                kind="target",
                value=161.051,
                comparator=">",
            ),
        ]
    )
    (cv,) = ind.city_view(rows, "gdp", "growth", ["370200"])
    assert math.isclose(cv.value, 10.0, abs_tol=1e-9) and cv.comparator == ">"


def test_schemes_give_their_own_breaks():
    vals = [1, 2, 3, 4, 5, 10, 20, 40, 80, 160, 320, 640]
    natural, quant, equal = (ind.class_breaks(vals, s) for s in ("natural_breaks", "quantiles", "equal_interval"))
    assert len(equal) == 5 and equal == sorted(equal)
    assert abs((equal[1] - equal[0]) - (equal[2] - equal[1])) < 1e-9  # equal widths
    assert quant != equal and natural != equal
    assert all(b[-1] == 640 for b in (natural, quant, equal))


def _records(rows):
    import pandas as pd

    cols = ["plan", "indicator", "scope", "area_code", "year", "kind", "value", "comparator"]
    return pd.DataFrame(
        [("jiaodong-2021", "gdp", "city", code, year, kind, value, cmp) for code, year, kind, value, cmp in rows],
        columns=cols,
    )


def test_progress_is_the_share_of_the_planned_change_achieved():
    recs = _records(
        [
            ("370200", 2020, "baseline", 100, "="),
            ("370200", 2025, "target", 200, "="),
            ("370200", 2025, "actual", 150, "="),
            ("370600", 2020, "baseline", 100, "="),
            ("370600", 2025, "target", 200, "≥"),
            ("370600", 2025, "actual", 230, ">"),
            ("370700", 2020, "baseline", 100, "="),
            ("370700", 2025, "target", 200, "="),
        ]
    )
    out = {cv.adcode: cv for cv in ind.city_view(recs, "gdp", "progress", CITIES)}
    assert out["370200"].value == 50 and out["370200"].comparator == "="
    assert out["370600"].value == pytest.approx(130) and out["370600"].comparator == "≈"
    assert out["370700"].value is None  # no 2025 result yet: no data, not zero
    assert out["371000"].value is None


def test_progress_colours_turn_at_one_hundred_percent():
    from dashboard import figures

    colours = figures.class_colors([50.0, 99.0, 130.0], "progress")
    assert colours[0] in figures.DIVERGING_NEG and colours[1] in figures.DIVERGING_NEG
    assert colours[2] in figures.DIVERGING_POS


@pytest.mark.parametrize(
    "target,actual,status",
    [
        ((600, ">"), (612, "="), "met"),
        ((600, ">"), (600, "="), "short"),
        ((600, "≥"), (600, "="), "met"),
        ((600, ">"), (650, ">"), "met"),
        ((600, ">"), (550, ">"), "unclear"),  # "more than 550" may or may not exceed 600
        ((600, ">"), (700, "≈"), "met"),
        ((600, ">"), (610, "≈"), "unclear"),
        ((600, "≈"), (500, "="), "short"),
        ((None, ""), (500, "="), "no_data"),
        ((600, ">"), (None, ""), "no_data"),
    ],
)
def test_target_status_reads_bounds_honestly(target, actual, status):
    t = ind.CityValue("370200", target[0], target[1], ())
    a = ind.CityValue("370200", actual[0], actual[1], ())
    assert ind.target_status(t, a) == status


def test_the_on_off_track_view_colours_each_city_by_its_status():
    from dashboard import figures

    recs = _records(
        [
            ("370200", 2025, "target", 200, ">"),
            ("370200", 2025, "actual", 230, "="),
            ("370600", 2025, "target", 200, ">"),
            ("370600", 2025, "actual", 150, "="),
            ("370700", 2025, "target", 200, ">"),
            ("370700", 2025, "actual", 190, ">"),
            ("371000", 2025, "target", 200, ">"),
        ]
    ).assign(source="规划 第三章", quality="plan")
    statuses = ind.city_status(recs, "gdp", CITIES)
    assert [s for s, _, _ in statuses] == ["met", "short", "unclear", "no_data", "no_data"]
    names = dict(zip(CITIES, "ABCDE"))
    defn = {"unit": "亿元", "unit_en": "100m yuan", "decimals": 0}
    state = figures.status_state(statuses, names, defn, "zh")
    assert state["z"] == [0, 1, 2, -1, -1]
    colour = {z: state["colorscale"][2 * (z + 1)][1] for z in state["z"]}
    assert colour[0] == figures.STATUS_COLORS["met"] and colour[-1] == figures.NO_DATA
    assert "已达到目标" in state["customdata"][0] and "> 200" in state["customdata"][0]
    with pytest.raises(ValueError):
        ind.city_view(recs, "gdp", "status", CITIES)  # categorical: no numbers to class
