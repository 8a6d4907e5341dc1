"""The committed store: real boundaries, in WGS-84, sharing their borders."""

import numpy as np
import pyogrio
import pytest
import shapely

JIAODONG = {"370200": 10, "370600": 11, "370700": 12, "371000": 4, "371100": 4}


def test_layers_and_crs(store):
    layers = dict(pyogrio.list_layers(store.path))
    for name in ("cities", "counties", "context", "indicators", "indicator_defs"):
        assert name in layers
    for gdf in (store.cities, store.counties, store.context):
        assert gdf.crs.to_epsg() == 4326


def test_five_cities_and_all_their_counties(store):
    assert dict(zip(store.cities["adcode"], store.cities["name_en"])) == {
        "370200": "Qingdao",
        "370600": "Yantai",
        "370700": "Weifang",
        "371000": "Weihai",
        "371100": "Rizhao",
    }
    assert store.counties["city_adcode"].value_counts().to_dict() == JIAODONG


def test_coordinates_are_wgs84_not_gcj02(store):
    # Qingdao's 市南区 in Amap's GCJ-02 lies ~0.005° east of its WGS-84 position;
    # after conversion the store's bounds sit west of the raw Amap bounds.
    from geodata import boundaries

    raw = boundaries._data_dir() / "datasets" / "administrative/amap/land/370202.geojson"
    import geopandas as gpd

    raw_bounds = gpd.read_file(raw).total_bounds
    stored = store.counties[store.counties["adcode"] == "370202"].total_bounds
    shift_east = raw_bounds[0] - stored[0]
    assert 0.003 < shift_east < 0.008


def test_counties_and_context_form_a_gap_free_coverage(store):
    china = store.context[store.context["kind"] != "country"]
    geoms = np.concatenate([store.counties.geometry.to_numpy(), china.geometry.to_numpy()])
    # No overlaps, no mismatched shared edges, no gaps narrower than ~100 m.
    assert shapely.coverage_is_valid(geoms, gap_width=0.001)


def test_each_city_is_exactly_the_union_of_its_counties(store):
    for city in store.cities.itertuples():
        parts = store.counties[store.counties["city_adcode"] == city.adcode].geometry
        assert shapely.union_all(parts.to_numpy()).symmetric_difference(city.geometry).area < 1e-12


def test_neighbouring_cities_share_borders(store):
    qd = store.cities.set_index("adcode").geometry
    shared = qd["370200"].intersection(qd["370700"])  # Qingdao and Weifang
    assert shared.length > 0.5 and qd["370200"].intersection(qd["370700"]).area < 1e-12


@pytest.mark.parametrize("layer", ["cities", "counties", "context"])
def test_browser_payload_is_valid_geojson(store, layer):
    import json

    data = json.loads(store.geojson(layer))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == len(getattr(store, layer))


def test_coverage_simplification_keeps_borders_that_plain_simplify_breaks():
    from geodata import boundaries

    units = [boundaries.unit(c) for c in ("370202", "370203", "370212", "370213")]
    raw = boundaries.read_geometries(units)  # Qingdao's urban districts, WGS-84
    assert shapely.coverage_is_valid(raw)
    together = boundaries.simplify_coverage(raw)
    assert shapely.get_num_coordinates(together).sum() < shapely.get_num_coordinates(raw).sum() / 2
    assert shapely.coverage_is_valid(together, gap_width=0.001)
    one_by_one = shapely.simplify(raw, boundaries.TOLERANCE)
    assert not shapely.coverage_is_valid(one_by_one, gap_width=0.001)


def test_all_of_shandong_tiles_with_the_provinces(store):
    """Jiaodong's counties, the other cities' counties and the provinces: one gap-free coverage."""
    provinces = store.context[store.context["kind"] == "province"]
    geoms = np.concatenate(
        [store.counties.geometry.to_numpy(), store.context_counties.geometry.to_numpy(), provinces.geometry.to_numpy()]
    )
    assert shapely.coverage_is_valid(geoms, gap_width=0.001)
    assert len(store.counties) + len(store.context_counties) == 136  # Shandong's county-level units


def test_each_other_shandong_city_is_the_union_of_its_counties(store):
    cities = store.context[store.context["kind"] == "shandong_city"]
    assert len(cities) == 11
    for city in cities.itertuples():
        parts = store.context_counties[store.context_counties["city_adcode"] == city.code].geometry
        assert len(parts) > 0, city.code
        assert shapely.union_all(parts.to_numpy()).symmetric_difference(city.geometry).area < 1e-12


@pytest.mark.parametrize(
    "code,lon,lat",
    [
        ("110000", 116.40, 40.90),  # northern Beijing (Miyun), beyond the old frame's 40.5°N
        ("310000", 121.47, 31.23),  # Shanghai
        ("330000", 120.16, 30.27),  # Hangzhou
        ("330000", 121.55, 29.87),  # Ningbo
        ("340000", 117.23, 31.82),  # Hefei
        ("130000", 114.50, 38.05),  # Shijiazhuang
    ],
)
def test_partner_regions_are_drawn_where_they_are(store, code, lon, lat):
    region = store.context.set_index("code").geometry[code]
    assert region.contains(shapely.Point(lon, lat))


def test_province_borders_are_coarser_than_shandongs_but_still_fit():
    from geodata import boundaries

    units = [boundaries.unit(c) for c in ("340000", "320000", "410000")]  # Anhui, Jiangsu, Henan
    fine = boundaries.simplify_coverage(boundaries.read_geometries(units))
    coarse = boundaries.coarsen_shared_borders(fine)
    assert shapely.get_num_coordinates(coarse).sum() < shapely.get_num_coordinates(fine).sum()
    assert shapely.coverage_is_valid(coarse, gap_width=0.001)
    # the outer boundary (coasts, borders with units left out) is kept vertex for vertex
    assert shapely.union_all(coarse).boundary.equals(shapely.union_all(fine).boundary)
