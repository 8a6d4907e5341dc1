"""Building and loading the store: reproducible, and loud about bad input."""

import pandas as pd
import pyogrio
import pytest
import shapely

from geodata import build
from layers import records
from layers import store as store_mod


def test_rebuild_reproduces_the_committed_store(tmp_path, store):
    out = build.build(tmp_path / "atlas.gpkg")
    fresh = store_mod.load(out)
    for layer in ("cities", "counties", "context"):
        a, b = getattr(store, layer), getattr(fresh, layer)
        pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
        assert all(shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), tolerance=0))
    a, b = store.features, fresh.features
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    placed = a.geometry.notna().to_numpy()
    assert (placed == b.geometry.notna().to_numpy()).all()
    assert all(shapely.equals_exact(a.geometry[placed].to_numpy(), b.geometry[placed].to_numpy(), tolerance=0))
    for table in ("indicators", "indicator_defs", "feature_categories"):
        pd.testing.assert_frame_equal(getattr(store, table), getattr(fresh, table))


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


HEADER = ",".join(records.INDICATOR_VALUES.names)
GOOD = "jiaodong-2021,gdp,city,370200,2020,baseline,12400.56,亿元,=,12400.56亿元,https://example.org/a,quote,news,"


@pytest.mark.parametrize(
    "bad,column,words",
    [
        (GOOD.replace(",12400.56,", ",12,400,"), None, "expected 14 fields"),
        (GOOD.replace("12400.56,亿元", "abc,亿元"), "value", "not a number"),
        (GOOD.replace(",2020,", ",20x0,"), "year", "whole number"),
        (GOOD.replace(",baseline,", ",guess,"), "kind", "not one of"),
        (GOOD.replace(",=,", ",~,"), "comparator", "not one of"),
        (GOOD.replace(",news,", ",blog,"), "quality", "not one of"),
        (GOOD.replace("https://example.org/a", ""), "source", "required"),
        (GOOD.replace(",370200,", ",37020,"), "area_code", "does not match"),
    ],
)
def test_bad_indicator_row_names_file_row_and_column(tmp_path, bad, column, words):
    path = _write(tmp_path / "indicators.csv", f"{HEADER}\n{GOOD}\n{bad}\n")
    with pytest.raises(records.RecordError) as err:
        records.read_csv(path, records.INDICATOR_VALUES)
    msg = str(err.value)
    assert str(path) in msg and "row 3" in msg
    assert words in msg
    if column:
        assert f"column '{column}'" in msg


def test_duplicate_record_is_rejected(tmp_path):
    path = _write(tmp_path / "indicators.csv", f"{HEADER}\n{GOOD}\n{GOOD}\n")
    with pytest.raises(records.RecordError, match="row 3.*duplicate record"):
        records.read_csv(path, records.INDICATOR_VALUES)


def test_missing_column_is_named(tmp_path):
    path = _write(tmp_path / "indicators.csv", HEADER.replace(",quality", "") + "\n")
    with pytest.raises(records.RecordError, match="column 'quality'.*missing"):
        records.read_csv(path, records.INDICATOR_VALUES)


def test_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(store_mod.StoreError, match="python -m geodata.build"):
        store_mod.load(tmp_path / "nope.gpkg")


def test_corrupt_store_is_named(tmp_path):
    bad = _write(tmp_path / "atlas.gpkg", "this is not a geopackage")
    with pytest.raises(store_mod.StoreError, match="atlas.gpkg"):
        store_mod.load(bad)


def test_store_with_a_bad_indicator_row_fails_on_load(damaged_store):
    copy = damaged_store("UPDATE indicators SET kind = 'guess' WHERE fid = 3")
    with pytest.raises(records.RecordError, match=r"#indicators, row 3, column 'kind'"):
        store_mod.load(copy)


def test_store_missing_a_layer_is_named(tmp_path, store):
    copy = tmp_path / "atlas.gpkg"
    for layer in ("cities", "counties", "context", "context_counties"):
        pyogrio.write_dataframe(getattr(store, layer), copy, layer=layer, driver="GPKG")
    with pytest.raises(store_mod.StoreError, match="layer 'corridors' is missing"):
        store_mod.load(copy)
