import numpy as np
import shapely

from geodata.gcj02 import gcj02_to_wgs84, geometry_gcj02_to_wgs84, wgs84_to_gcj02

# Published pair (wandergis/coordtransform README): WGS-84 -> GCJ-02 at Tiananmen.
WGS = (116.404, 39.915)
GCJ = (116.41024449916938, 39.91640428150164)


def metres(lon1, lat1, lon2, lat2):
    kx = 111_320 * np.cos(np.radians(lat1))
    return np.hypot((lon2 - lon1) * kx, (lat2 - lat1) * 110_574)


def test_forward_matches_published_pair():
    lon, lat = wgs84_to_gcj02(*WGS)
    assert abs(lon - GCJ[0]) < 1e-12 and abs(lat - GCJ[1]) < 1e-12


def test_inverse_recovers_published_input():
    lon, lat = gcj02_to_wgs84(*GCJ)
    assert metres(lon, lat, *WGS) < 1e-4  # 0.1 mm


def test_inverse_round_trips_over_jiaodong():
    lon, lat = np.meshgrid(np.linspace(118.5, 122.8, 40), np.linspace(34.9, 38.4, 40))
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert metres(lon, lat, back_lon, back_lat).max() < 1e-4


def test_offset_over_jiaodong_is_hundreds_of_metres():
    lon, lat = np.meshgrid(np.linspace(118.5, 122.8, 10), np.linspace(34.9, 38.4, 10))
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    d = metres(lon, lat, g_lon, g_lat)
    assert 300 < d.min() and d.max() < 800


def test_shared_vertices_stay_identical_across_geometries():
    # The same vertex, in different positions of different arrays.
    a = shapely.Polygon([(120.1, 36.1), (120.3, 36.1), (120.3, 36.3), (120.1, 36.1)])
    b = shapely.Polygon([(120.5, 36.5), (120.3, 36.1), (120.3, 36.3), (120.4, 36.6), (120.5, 36.5)])
    ca, cb = geometry_gcj02_to_wgs84(np.array([a, b], dtype=object))
    va = {tuple(c) for c in shapely.get_coordinates(ca)}
    vb = {tuple(c) for c in shapely.get_coordinates(cb)}
    assert len(va & vb) == 2
