"""Bringing figures in: every kind of bad row named, nothing embedded overwritten."""

import csv
import io
import os
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata import indicators as cli
from layers import imports, user_store

HEADER = ",".join(imports.COLUMNS)
GOOD = (
    "jiaodong-2021,resident_population,city,371000,2026,actual,291.5,万人,=,291.5万人,"
    "https://example.org/wh,常住人口291.5万人,official,"
)


def _check(store, text, existing=None):
    known = store.indicators if existing is None else existing
    return imports.check(text, "f.csv", imports.Rules.of(store), known)


def test_a_good_row_passes_unchanged(store):
    result = _check(store, f"{HEADER}\n{GOOD}\n")
    assert result.ok and len(result.rows) == 1
    assert result.rows.iloc[0]["value"] == 291.5 and result.rows.iloc[0]["unit"] == "万人"


@pytest.mark.parametrize(
    "bad,column,words",
    [
        (GOOD.replace(",371000,", ",379999,"), "area_code", "not one of the five cities"),
        (GOOD.replace("resident_population", "population"), "indicator", "unknown indicator"),
        (GOOD.replace(",万人,", ",公斤,"), "unit", "cannot be converted"),
        (GOOD.replace(",291.5,", ",291,5,"), None, "expected 14 fields"),
        (GOOD.replace(",291.5,万人,", ",1e308,亿人,"), "value", "outside the plausible range"),
        (GOOD.replace(",291.5,万人,", ",1e300,万人,"), "value", "29.0655–10,500 万人"),
        (GOOD.replace(",291.5,万人,", ",2.915,万人,"), "value", "outside the plausible range"),
        (
            GOOD.replace("resident_population", "urbanization_rate").replace(",291.5,万人,", ",101,%,"),
            "value",
            "0–100 %",
        ),
        (GOOD.replace(",291.5,", ",about 291,"), "value", "not a number"),
        (GOOD.replace(",2026,", ",1899,"), "year", "outside"),
        (GOOD.replace(",2026,", ",2026.5,"), "year", "whole number"),
        (GOOD.replace("https://example.org/wh", ""), "source", "required"),
        (GOOD.replace(",actual,", ",forecast,"), "kind", "not one of"),
        (GOOD.replace(",city,371000,", ",circle,371000,"), "area_code", "circle"),
    ],
)
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


@pytest.mark.parametrize(
    "data,words",
    [
        (b"\xff\xfe\x00\x81", "not UTF-8 or GBK"),
        ("", "empty"),
        ("a,b,c\n1,2,3\n", "missing from the header"),
        (HEADER + ",extra\n", "unknown column"),
    ],
)
def test_file_level_problems_are_named(store, data, words):
    result = _check(store, data)
    assert not result.ok and words in result.errors[0] and result.rows.empty


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_no_text_crashes_the_checker(store, text):
    result = _check(store, text)
    assert isinstance(result.errors, list)


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "jiaodong-2021",
            "gdp",
            "city",
            "circle",
            "370200",
            "jiaodong",
            "2025",
            "actual",
            "1e308",
            "nan",
            "-1",
            "亿元",
            "万亿元",
            "≥",
            "official",
            "",
            ",",
            '"',
            "\n",
        ]
    ),
)


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


def _cli(args, data_dir):
    env = dict(os.environ, ATLAS_DATA_DIR=str(data_dir))
    return subprocess.run(
        [sys.executable, "-m", "geodata.indicators", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cli.Path(__file__).resolve().parent.parent,
        check=False,
    )


def test_the_command_line_checks_imports_lists_and_removes(tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    bad.write_text(f"{HEADER}\n{GOOD}\n{GOOD.replace(',2026,', ',20x6,')}\n", encoding="utf-8")
    run = _cli(["check", str(bad)], tmp_path)
    assert run.returncode == 1 and "bad.csv, row 3, column 'year'" in run.stderr
    run = _cli(["import", str(bad)], tmp_path)
    assert run.returncode == 1 and "no imported figures" in _cli(["list"], tmp_path).stdout  # all or nothing
    assert _cli(["check", str(good)], tmp_path).returncode == 0
    assert _cli(["import", str(good)], tmp_path).returncode == 0
    listed = _cli(["list"], tmp_path).stdout
    assert "#1 good.csv: 1 figure(s)" in listed and "(command line)" in listed
    again = _cli(["import", str(good)], tmp_path)
    assert again.returncode == 1 and "duplicate" in again.stderr
    assert _cli(["remove", "good.csv"], tmp_path).returncode == 0
    assert "no imported figures" in _cli(["list"], tmp_path).stdout
    template = _cli(["template"], tmp_path).stdout.splitlines()
    assert template[0] == HEADER and all(line.startswith(("#", '"#')) for line in template[2:])
    assert pd.read_csv(good).columns.tolist() == template[0].split(",")


def test_the_template_passes_the_checker_but_for_its_example_being_known(store):
    result = _check(store, imports.template(store))
    assert [p.code for p in result.problems] == ["duplicate"]  # the example row is a real, sourced figure
    result = _check(store, imports.template(store), existing=store.indicators.iloc[0:0])
    assert result.ok and len(result.rows) == 1
    assert result.rows.iloc[0]["comparator"] == "="  # written as '= so that Excel shows it, read back as =


def test_a_formula_cell_stays_words_in_the_template_and_comes_back_as_written(store):
    example = next(csv.reader(io.StringIO(imports.template(store).splitlines()[1])))
    assert example[imports.COLUMNS.index("comparator")] == "'="
    row = GOOD.replace("常住人口291.5万人", "'=HYPERLINK(x)")
    rows = _check(store, f"{HEADER}\n{row}\n").rows
    assert rows.iloc[0]["source_quote"] == "=HYPERLINK(x)"  # stored as written; every CSV out quotes it again


@pytest.mark.parametrize(
    "encoding,bom,read_as", [("utf-8", b"", "UTF-8"), ("utf-8", b"\xef\xbb\xbf", "UTF-8 (BOM)"), ("gbk", b"", "GBK")]
)
@pytest.mark.parametrize("delimiter,named", [(",", "','"), (";", "';'"), ("\t", "'TAB'")])
def test_excel_files_are_read_and_the_way_is_said(store, encoding, bom, read_as, delimiter, named):
    text = f"{HEADER}\n{GOOD}\n".replace(",", delimiter)
    result = _check(store, bom + text.encode(encoding))
    assert result.ok, result.errors
    assert result.rows.iloc[0]["source_quote"] == "常住人口291.5万人"
    assert result.read_as == f"{read_as}, delimiter {named}"


def test_messages_speak_the_pages_language(store):
    result = _check(store, f"{HEADER}\n{GOOD.replace(',2026,', ',20x6,')}\n")
    assert result.problems[0].text("zh") == "f.csv 第 2 行, 'year' 列: '20x6' 不是整数"
    assert result.problems[0].text("en") == "f.csv, row 2, column 'year': '20x6' is not a whole number"
    whole = _check(store, "a;b\n1;2\n")
    assert whole.whole_file and "表头缺少 'plan' 列" in whole.problems[0].text("zh")


# Every value the checker may meet at the edges of its rules.
EDGE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e308", "1e300", "-0", "0", "2.9", "29.0655", "10500", "10500.0001", "nan", "inf"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=EDGE, unit=st.sampled_from(["万人", "人", "亿人"]), year=st.integers(1990, 2040))
def test_whatever_the_checker_accepts_is_stored_read_back_and_served(store, tmp_path_factory, value, unit, year):
    row = GOOD.replace(",2026,", f",{year},").replace(",291.5,万人,", f",{value},{unit},")
    result = _check(store, f"{HEADER}\n{row}\n")
    if not result.ok:
        return
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'user.sqlite'}"
    user_store.open_store(url).add(result.rows, "p.csv", "test")
    reopened = user_store.open_store(url)  # a restart
    back = reopened.rows()
    kept, problems = imports.Rules.of(store).served(back)
    assert problems == [] and len(kept) == 1
    assert kept.iloc[0]["value"] == result.rows.iloc[0]["value"]
    from dashboard import numbers

    text = numbers.fmt_with_cmp(kept.iloc[0]["value"], "=", 1, "zh")
    assert len(text) < 20  # a number a legend can show


def test_a_damaged_user_store_is_set_aside_and_named(tmp_path):
    path = tmp_path / "user-figures.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    db = user_store.open_store(f"sqlite:///{path}")
    assert db.rows().empty and len(db.notices) == 1
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("user-figures.sqlite.damaged-")]
    assert len(aside) == 1 and str(path) in db.notices[0] and aside[0].name in db.notices[0]
    assert aside[0].read_bytes().startswith(b"this is not a database")  # kept, not deleted


def test_a_row_edited_by_hand_into_nonsense_is_left_out_and_named(tmp_path, store):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'user.sqlite'}"
    db = user_store.open_store(url)
    db.add(_check(store, f"{HEADER}\n{GOOD}\n{GOOD.replace(',2026,', ',2027,')}\n").rows, "two.csv", "test")
    with db.engine.begin() as conn:
        conn.execute(sa.update(user_store.FIGURES).where(user_store.FIGURES.c.year == 2027).values(value=float("inf")))
    kept, problems = imports.Rules.of(store).served(db.rows())
    assert list(kept["year"]) == [2026]
    assert len(problems) == 1 and "two.csv" in problems[0] and "2027" in problems[0]


def test_a_csv_store_of_earlier_versions_is_migrated_once_losing_nothing(tmp_path, store):
    rows = _check(store, f"{HEADER}\n{GOOD}\n{GOOD.replace(',2026,', ',2027,')}\n").rows
    old = rows.assign(imported_from=["a.csv", "b.csv"], imported_at=["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"])
    old.to_csv(tmp_path / "user-figures.csv", index=False)
    env = dict(os.environ, ATLAS_DATA_DIR=str(tmp_path))
    import subprocess as sp

    listed = sp.run(
        [sys.executable, "-m", "geodata.indicators", "list"],
        env=env,
        capture_output=True,
        text=True,
        cwd=cli.Path(__file__).resolve().parent.parent,
        check=True,
    )
    assert "#1 a.csv: 1 figure(s), imported 2026-01-01T00:00:00Z" in listed.stdout
    assert "#2 b.csv: 1 figure(s)" in listed.stdout
    assert (tmp_path / "user-figures.csv.migrated").is_file() and not (tmp_path / "user-figures.csv").exists()
    again = sp.run(
        [sys.executable, "-m", "geodata.indicators", "list"],
        env=env,
        capture_output=True,
        text=True,
        cwd=cli.Path(__file__).resolve().parent.parent,
        check=True,
    )
    assert again.stdout == listed.stdout


def _upload(app, text: str, filename="new.csv", component="upload-figures", output="upload-status"):
    import base64
    import json

    from tests.dash_calls import call

    contents = "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode()
    resp = call(
        app,
        output,
        {
            f"{component}.contents": contents,
            f"{component}.filename": filename,
            "indicator.value": "resident_population",
            "view.value": "actual",
            "scheme.value": "natural_breaks",
            "lang.value": "zh",
        },
        f"{component}.contents",
    )
    return json.loads(resp.data)["response"]


def test_upload_in_the_app_imports_and_marks_the_figures(app, store, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    row = GOOD.replace(",2026,", ",2025,")  # Weihai's 2025 population, as a test figure
    out = _upload(app, f"{HEADER}\n{row}\n")
    import json

    text = json.dumps(out, ensure_ascii=False)
    assert "已导入 1 条" in text and "UTF-8" in text
    hover = out["map-state"]["data"]["customdata"][3]  # Weihai, fourth city
    assert "291.5" in hover and "用户导入" in hover
    # and the table the page switches from: switching away and back still shows it
    switched = out["switches"]["data"]["map"]["resident_population|actual|quantiles"][0]["customdata"][3]
    assert "291.5" in switched and "用户导入" in switched
    imported = user_store.current().imports()
    assert list(imported["figures"]) == [1] and imported["imported_by"][0].startswith("single user at")
    assert "new.csv" in text  # the import list shows it, with its remove button
    sources = out["sources-grid"]["rowData"]
    assert any(r["imported"] == "用户导入" and r["area"] == "威海市" for r in sources)
    csv_text = app.server.test_client().get("/figures/all.csv").get_data(as_text=True)
    assert "常住人口291.5万人" in csv_text and ",True," in csv_text


def test_a_circle_figure_the_atlas_lacks_appears_on_its_card_marked(app, store, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    import json

    from dashboard import panels

    before = str(panels.circle_cards(store.indicators, store.indicator_defs))
    assert "无数据" in before[before.index("港口货物吞吐量") : before.index("海洋生产总值")]
    row = (
        "jiaodong-2021,port_cargo_throughput,circle,jiaodong,2020,baseline,14.5,亿吨,=,14.5亿吨,"
        "https://example.org/port,吞吐量14.5亿吨,official,"
    )  # a test figure
    cards = json.dumps(_upload(app, f"{HEADER}\n{row}\n")["circle-cards"], ensure_ascii=False)
    port = cards[cards.index("港口货物吞吐量") : cards.index("海洋生产总值")]
    assert "14.5" in port and "用户导入" in port and "无数据" not in port


def test_a_bad_upload_lists_its_rows_and_imports_nothing(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    out = _upload(app, f"{HEADER}\n{GOOD}\n{GOOD.replace(',万人,', ',kg,')}\n", "bad.csv")
    import json

    text = json.dumps(out, ensure_ascii=False)
    assert "bad.csv 有 1 行有误" in text and "第 3 行, 'unit' 列" in text
    assert user_store.current().imports().empty


def test_a_file_that_is_no_table_says_so_not_bad_rows(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    import json

    text = json.dumps(_upload(app, "just some words\n", "notes.csv"), ensure_ascii=False)
    assert "notes.csv 无法作为数据表读取" in text and "行有误" not in text


def test_a_viewers_preview_is_stored_nowhere(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    import json

    out = _upload(app, f"{HEADER}\n{GOOD}\n", "mine.csv", component="preview-figures")
    assert "预览" in json.dumps(out, ensure_ascii=False)
    assert user_store.current().imports().empty


def test_the_template_is_served(app, store):
    resp = app.server.test_client().get("/figures/template.csv")
    assert resp.status_code == 200 and resp.get_data(as_text=True).lstrip("\ufeff") == imports.template(store)
