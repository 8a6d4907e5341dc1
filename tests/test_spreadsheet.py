"""Every CSV the atlas writes for a spreadsheet: formula-like text is written as text."""

import csv
import io

import pandas as pd
import pytest

from dashboard import export
from layers import imports, spreadsheet, user_store
from tests.test_imports import GOOD, HEADER

LINK = '=HYPERLINK("http://x","y")'
CALC = "=1+2+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "cell,written",
    [
        (LINK, "'" + LINK),
        (CALC, "'" + CALC),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("=", "'="),
        ("-3.5", "-3.5"),
        ("+12", "+12"),
        ("1e-3", "1e-3"),
        ("常住人口 -5%", "常住人口 -5%"),
        ("", ""),
        (-3.5, -3.5),
        (12, 12),
        (None, None),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_prefixed_and_numbers_are_not(cell, written):
    assert spreadsheet.safe_cell(cell) == written


def test_a_table_keeps_its_numbers_as_numbers():
    table = pd.DataFrame({"value": [-3.5, 2.0], "note": [CALC, "ok"], "year": [2020, 2025]})
    text = spreadsheet.excel_csv(table)
    assert text.startswith("\ufeff")  # Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["value", "note", "year"], ["-3.5", "'" + CALC, "2020"], ["2.0", "ok", "2025"]]
    assert table["note"][0] == CALC  # the table itself is not changed


@pytest.fixture
def formula_figures(tmp_path, monkeypatch, store):
    """An import whose text fields hold formulas, in a user store of its own."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    fields = GOOD.split(",")
    fields[HEADER.split(",").index("source_quote")] = '"' + LINK.replace('"', '""') + '"'
    fields[HEADER.split(",").index("note")] = '"' + CALC + '"'
    fields[HEADER.split(",").index("year")] = "2024"
    user = user_store.current()
    checked = imports.check(f"{HEADER}\n{','.join(fields)}\n", "evil.csv", imports.Rules.of(store), user.rows())
    assert checked.ok, checked.errors  # the checker takes it: a quote may be anything
    user.add(checked.rows, "evil.csv", "test")
    return "resident_population"


def _imported_row(text: str) -> dict:
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    [row] = [r for r in rows if r["area_code"] == "371000" and r["year"] == "2024"]
    return row


def _check(row: dict):
    assert row["source_quote"] == "'" + LINK and row["note"] == "'" + CALC
    assert float(row["value"]) == 291.5 and row["value"][0].isdigit()


def test_the_figures_download_neutralises_formulas(app, formula_figures):
    resp = app.server.test_client().get("/figures/all.csv")
    text = resp.get_data(as_text=True)
    _check(_imported_row(text))
    assert not any(r["value"].startswith("'") for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_view_export_neutralises_formulas(app, formula_figures):
    resp = app.server.test_client().get(f"/export/view.csv?indicator={formula_figures}")
    _check(_imported_row(resp.get_data(as_text=True)))


def test_the_command_lines_csv_neutralises_formulas(formula_figures, tmp_path):
    out = tmp_path / "view.csv"
    assert export.main(["--view", f"?indicator={formula_figures}", "--csv", str(out)]) == 0
    _check(_imported_row(out.read_text("utf-8")))
