"""The data gaps: every city figure the atlas lacks, as rows of the import template that
the checker accepts once an office fills them in; never a value filled."""

import csv
import io
import json
import re

import pandas as pd
import pytest

from layers import gaps, imports, indicators, plans
from tests.conftest import REPO

CITIES = ("370200", "370600", "370700", "371000", "371100")


def _missing(store, figures=None):
    return gaps.missing(store.indicators if figures is None else figures, store.indicator_defs, store.cities["adcode"])


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _filled(row: dict, rules: imports.Rules) -> dict:
    """What an office writes into a gaps row: a plausible value and its source."""
    lo, hi = rules.bounds.get((row["indicator"], "city"), (0.0, 1000.0))
    value = 50.0 if row["unit"] == "%" else round((lo * hi) ** 0.5 if lo > 0 else hi / 10, 1)
    return {
        **row,
        "value": str(value),
        "comparator": "=",
        "original_text": f"{value}{row['unit']}",
        "source": "https://example.org/bulletin",
        "source_quote": f"统计公报: {value}{row['unit']}",
        "quality": "official",
    }


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=imports.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_every_city_indicator_and_kind_without_a_figure_is_a_gap(store):
    missing = _missing(store)
    defs = store.indicator_defs
    assert tuple(store.cities["adcode"]) == CITIES
    held = store.indicators[(store.indicators["plan"] == plans.FIGURES) & (store.indicators["scope"] == "city")]
    assert len(missing) == len(CITIES) * len(defs) * len(indicators.YEARS) - len(held)
    keys = ["indicator", "area_code", "year", "kind"]
    assert not missing[keys].merge(held[keys].astype({"year": int})).size  # none of them is held
    assert not missing.duplicated(keys).any()
    for kind, year in indicators.YEARS.items():
        assert set(missing.loc[missing["kind"] == kind, "year"]) == {year}
    # the examples the issue names: city targets, 2025 results, 2020 城区人口, port throughput
    gap = set(missing[keys].itertuples(index=False, name=None))
    assert ("gdp", "370200", 2025, "target") in gap
    assert ("resident_population", "371100", 2025, "actual") in gap
    assert ("urban_district_population", "371100", 2020, "baseline") in gap
    assert ("port_cargo_throughput", "371100", 2020, "baseline") in gap
    assert ("gdp", "370200", 2020, "baseline") not in gap  # the store has it


def test_a_gap_row_names_the_figure_and_leaves_the_rest_empty(store):
    missing = _missing(store)
    assert list(missing.columns) == imports.COLUMNS
    units = dict(zip(store.indicator_defs["indicator"], store.indicator_defs["unit"]))
    assert (missing["unit"] == missing["indicator"].map(units)).all()
    assert set(missing["plan"]) == {plans.FIGURES} and set(missing["scope"]) == {"city"}
    rows = _rows(gaps.template(missing))
    assert len(rows) == len(missing) and list(rows[0]) == imports.COLUMNS
    assert all(r[c] == "" for r in rows for c in gaps.TO_FILL)  # never a value filled in


def test_a_filled_in_gap_row_passes_the_checker(store):
    rules = imports.Rules.of(store)
    row = next(
        r for r in _rows(gaps.template(_missing(store))) if r["indicator"] == "urban_district_population"
    )  # Qingdao's 2020 城区人口
    assert (row["area_code"], row["year"], row["kind"], row["value"]) == ("370200", "2020", "baseline", "")
    result = imports.check(_csv([_filled(row, rules)]), "gaps.csv", rules, store.indicators)
    assert result.ok, result.errors
    got = result.rows.iloc[0]
    assert (got["indicator"], got["area_code"], got["year"], got["kind"]) == (
        "urban_district_population",
        "370200",
        2020,
        "baseline",
    )


def test_every_gap_row_filled_in_passes_and_none_unfilled_does(store):
    rules, text = imports.Rules.of(store), gaps.template(_missing(store))
    rows = _rows(text)
    result = imports.check(_csv([_filled(r, rules) for r in rows]), "gaps.csv", rules, store.indicators)
    assert result.ok, result.errors[:5]
    assert len(result.rows) == len(rows)
    empty = imports.check(text, "gaps.csv", rules, store.indicators)
    assert len(empty.problems) == len(rows) and {p.column for p in empty.problems} == {"value"}


def test_a_figure_more_is_a_gap_less_and_a_figure_less_a_gap_more(store):
    before = _missing(store)
    gdp = store.indicators[(store.indicators["indicator"] == "gdp") & (store.indicators["kind"] == "actual")]
    fewer = store.indicators.drop(index=gdp.index[0])
    after = _missing(store, fewer)
    assert len(after) == len(before) + 1
    keys = ["indicator", "area_code", "year", "kind"]
    added = after[keys].merge(before[keys], how="left", indicator=True).query("_merge == 'left_only'")
    assert added[keys].values.tolist() == [["gdp", gdp.iloc[0]["area_code"], 2025, "actual"]]
    rules = imports.Rules.of(store)
    imported = imports.check(_csv([_filled(_rows(gaps.template(before))[0], rules)]), "f.csv", rules, store.indicators)
    more = pd.concat([store.indicators, imported.rows], ignore_index=True)
    assert len(_missing(store, more)) == len(before) - 1


def test_counts_are_by_city_and_kind(store):
    missing = _missing(store)
    table = gaps.counts(missing, CITIES)
    assert list(table.index) == list(CITIES) and list(table.columns) == list(indicators.YEARS)
    assert int(table.to_numpy().sum()) == len(missing)
    assert (gaps.counts(missing.iloc[:0], CITIES).to_numpy() == 0).all()


def test_the_gaps_are_served_as_a_template(app, store):
    from dashboard.page import all_figures

    resp = app.server.test_client().get("/figures/gaps.csv")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/csv" and text.startswith("\ufeff")
    assert "figures-gaps.csv" in resp.headers["Content-Disposition"]
    assert text.splitlines()[0].lstrip("\ufeff").split(",") == imports.COLUMNS
    expected = gaps.missing(all_figures(store), store.indicator_defs, store.cities["adcode"])
    assert _rows(text) == _rows(gaps.template(expected))


def test_an_imported_gap_leaves_the_list_and_the_download(app, store, tmp_path, monkeypatch):
    """Filled in and uploaded in the app: the view and the template lose that row."""
    from tests.test_imports import _upload

    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    client = app.server.test_client()
    before = _rows(client.get("/figures/gaps.csv").get_data(as_text=True))
    row = _filled(before[0], imports.Rules.of(store))
    out = _upload(app, _csv([row]), "bulletin.csv")
    assert "已导入 1 条" in json.dumps(out, ensure_ascii=False)
    view = json.dumps(out["data-gaps"]["children"], ensure_ascii=False)
    assert f"图集还缺 {len(before) - 1} 个数值" in view
    after = _rows(client.get("/figures/gaps.csv").get_data(as_text=True))
    assert after == before[1:]


@pytest.mark.parametrize("lang,words", [("zh", "数据缺口"), ("en", "Data gaps")])
def test_the_view_counts_and_lists_the_gaps_in_both_languages(store, lang, words):
    from dashboard import figure_imports

    view = str(figure_imports.gaps_view(store, lang))
    missing = _missing(store)
    assert words in view and "/figures/gaps.csv" in view and str(len(missing)) in view
    assert view.count("gap-line") == missing.groupby(["area_code", "kind"]).ngroups


def test_the_readme_counts_the_gaps_as_the_store_does(store):
    text = (REPO / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    m = re.search(
        r"the embedded store lacks (\d+) of the five cities' figures: (\d+) 2020 baselines, "
        r"(\d+) 2025 targets and (\d+) 2025 results",
        text,
    )
    assert m, "the README no longer counts the data gaps"
    kinds = _missing(store)["kind"].value_counts()
    assert [int(g) for g in m.groups()] == [
        int(kinds.sum()),
        int(kinds.get("baseline", 0)),
        int(kinds.get("target", 0)),
        int(kinds.get("actual", 0)),
    ]
