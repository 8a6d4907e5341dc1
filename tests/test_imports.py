"""Bringing figures in: every kind of bad row named, nothing embedded overwritten."""
import os
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata import indicators as cli
from layers import imports

HEADER = ",".join(imports.COLUMNS)
GOOD = ("jiaodong-2021,resident_population,city,371000,2026,actual,291.5,万人,=,291.5万人,"
        "https://example.org/wh,常住人口291.5万人,official,")


def _check(store, text, existing=None):
    known = store.indicators if existing is None else existing
    return imports.check(text, "f.csv", store.indicator_defs, list(store.cities["adcode"]), known)


def test_a_good_row_passes_unchanged(store):
    result = _check(store, f"{HEADER}\n{GOOD}\n")
    assert result.ok and len(result.rows) == 1
    assert result.rows.iloc[0]["value"] == 291.5 and result.rows.iloc[0]["unit"] == "万人"


@pytest.mark.parametrize("bad,column,words", [
    (GOOD.replace(",371000,", ",379999,"), "area_code", "not one of the five cities"),
    (GOOD.replace("resident_population", "population"), "indicator", "unknown indicator"),
    (GOOD.replace(",万人,", ",公斤,"), "unit", "cannot be converted"),
    (GOOD.replace(",291.5,", ",291,5,"), None, "expected 14 fields"),
    (GOOD.replace(",291.5,", ",about 291,"), "value", "not a number"),
    (GOOD.replace(",2026,", ",1899,"), "year", "outside"),
    (GOOD.replace(",2026,", ",2026.5,"), "year", "whole number"),
    (GOOD.replace("https://example.org/wh", ""), "source", "required"),
    (GOOD.replace(",actual,", ",forecast,"), "kind", "not one of"),
    (GOOD.replace(",city,371000,", ",circle,371000,"), "area_code", "circle"),
])
def test_each_kind_of_bad_row_gets_its_own_message(store, bad, column, words):
    result = _check(store, f"{HEADER}\n{GOOD.replace('2026', '2027')}\n{bad}\n")
    assert len(result.rows) == 1 and len(result.errors) == 1
    message = result.errors[0]
    assert "f.csv, row 3" in message and words in message
    if column:
        assert f"column '{column}'" in message


def test_duplicates_in_the_file_and_of_embedded_figures_are_refused(store):
    embedded = store.indicators.iloc[0]
    dup = ",".join(str(embedded[c]) for c in imports.COLUMNS).replace("nan", "")
    result = _check(store, f"{HEADER}\n{GOOD}\n{GOOD}\n{dup}\n")
    assert len(result.rows) == 1
    assert [e.split(":")[0] for e in result.errors] == ["f.csv, row 3", "f.csv, row 4"]
    assert all("duplicate" in e for e in result.errors)


def test_other_units_are_converted_and_the_original_kept(store):
    row = GOOD.replace(",291.5,万人,", ",2915000,人,").replace("291.5万人,https", "291.5万人,https")
    result = _check(store, f"{HEADER}\n{row}\n")
    r = result.rows.iloc[0]
    assert r["value"] == 291.5 and r["unit"] == "万人"
    assert r["original_text"] == "291.5万人" and "换算自 2915000人" in r["note"]


@pytest.mark.parametrize("data,words", [
    (b"\xff\xfe\x00", "not UTF-8"), ("", "empty"), ("a,b,c\n1,2,3\n", "missing from the header"),
    (HEADER + ",extra\n", "unknown column"),
])
def test_file_level_problems_are_named(store, data, words):
    result = _check(store, data)
    assert not result.ok and words in result.errors[0] and result.rows.empty


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_no_text_crashes_the_checker(store, text):
    result = _check(store, text)
    assert isinstance(result.errors, list)


CELL = st.one_of(st.text(max_size=12), st.sampled_from(
    ["jiaodong-2021", "gdp", "city", "circle", "370200", "jiaodong", "2025", "actual", "1e308", "nan",
     "-1", "亿元", "万亿元", "≥", "official", "", ",", '"', "\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELL, min_size=12, max_size=16), max_size=8))
def test_no_table_crashes_the_checker_and_every_row_is_accounted_for(store, rows):
    import csv
    import io
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(imports.COLUMNS)
    writer.writerows(rows)
    result = _check(store, out.getvalue())
    assert len(result.rows) + len(result.errors) <= max(len(rows), 1)
    assert all(result.rows["unit"].isin(store.indicator_defs["unit"])) if len(result.rows) else True


def test_the_user_store_is_separate_atomic_and_can_be_emptied(tmp_path, store):
    path = tmp_path / "figures" / "user.csv"
    rows = _check(store, f"{HEADER}\n{GOOD}\n").rows
    assert imports.add_to_user_store(rows, "a.csv", path) == 1
    assert imports.add_to_user_store(rows.assign(year=2027), "b.csv", path) == 1
    back = imports.read_user_store(path)
    assert list(back["imported_from"]) == ["a.csv", "b.csv"]
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert imports.remove_from_user_store("a.csv", path) == 1
    assert list(imports.read_user_store(path)["imported_from"]) == ["b.csv"]
    assert imports.remove_from_user_store(None, path) == 1
    assert imports.read_user_store(path).empty


def test_a_damaged_user_store_is_named(tmp_path):
    path = tmp_path / "user.csv"
    path.write_text("plan,indicator\nx,y\n", encoding="utf-8")
    with pytest.raises(imports.records.RecordError, match="user.csv.*column"):
        imports.read_user_store(path)


def _cli(args, env_path):
    env = dict(os.environ, ATLAS_USER_FIGURES=str(env_path))
    return subprocess.run([sys.executable, "-m", "geodata.indicators", *args], capture_output=True,
                          text=True, env=env, cwd=cli.Path(__file__).resolve().parent.parent, check=False)


def test_the_command_line_checks_imports_lists_and_removes(tmp_path):
    user = tmp_path / "user.csv"
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    bad.write_text(f"{HEADER}\n{GOOD}\n{GOOD.replace(',2026,', ',20x6,')}\n", encoding="utf-8")
    run = _cli(["check", str(bad)], user)
    assert run.returncode == 1 and "bad.csv, row 3, column 'year'" in run.stderr
    run = _cli(["import", str(bad)], user)
    assert run.returncode == 1 and not user.exists()  # all or nothing
    assert _cli(["check", str(good)], user).returncode == 0
    assert _cli(["import", str(good)], user).returncode == 0
    assert "good.csv: 1 figure(s)" in _cli(["list"], user).stdout
    again = _cli(["import", str(good)], user)
    assert again.returncode == 1 and "duplicate" in again.stderr
    assert _cli(["remove", "good.csv"], user).returncode == 0
    assert "no imported figures" in _cli(["list"], user).stdout
    template = _cli(["template"], user).stdout
    assert template.strip() == HEADER
    assert pd.read_csv(good).columns.tolist() == template.strip().split(",")


def _upload(app, text: str, filename="new.csv"):
    import base64
    import json

    from tests.dash_calls import call
    contents = "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode()
    resp = call(app, "upload-status", {"upload-figures.contents": contents, "upload-figures.filename": filename,
                                        "indicator.value": "resident_population", "view.value": "actual",
                                        "scheme.value": "natural_breaks"},
                 "upload-figures.contents")
    return json.loads(resp.data)["response"]


def test_upload_in_the_app_imports_and_marks_the_figures(app, store, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_USER_FIGURES", str(tmp_path / "user.csv"))
    row = GOOD.replace(",2026,", ",2025,")  # Weihai's 2025 population, as a test figure
    out = _upload(app, f"{HEADER}\n{row}\n")
    import json
    text = json.dumps(out, ensure_ascii=False)
    assert "已导入 1 条" in text
    hover = out["map-state"]["data"]["customdata"][3]  # Weihai, fourth city
    assert "291.5" in hover and "用户导入" in hover
    assert len(imports.read_user_store(tmp_path / "user.csv")) == 1
    sources = out["sources-grid"]["rowData"]
    assert any(r["imported"] == "用户导入" and r["area"] == "威海市" for r in sources)
    csv_text = app.server.test_client().get("/figures/all.csv").get_data(as_text=True)
    assert "常住人口291.5万人" in csv_text and ",True," in csv_text


def test_a_bad_upload_lists_its_rows_and_imports_nothing(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_USER_FIGURES", str(tmp_path / "user.csv"))
    out = _upload(app, f"{HEADER}\n{GOOD}\n{GOOD.replace(',万人,', ',kg,')}\n", "bad.csv")
    import json
    text = json.dumps(out, ensure_ascii=False)
    assert "bad.csv 有 1 行有误" in text and "row 3, column 'unit'" in text
    assert not (tmp_path / "user.csv").exists()


def test_the_template_is_served(app):
    resp = app.server.test_client().get("/figures/template.csv")
    assert resp.status_code == 200 and resp.get_data(as_text=True).strip() == HEADER
