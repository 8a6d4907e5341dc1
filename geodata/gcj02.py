"""GCJ-02 <-> WGS-84 conversion.

Amap (and most Chinese web maps) publish coordinates in GCJ-02, a datum
offset by a few hundred metres from WGS-84. pyproj has no definition for it,
so this module implements the published forward formula (WGS-84 -> GCJ-02,
the one in the eviltransform/coordtransform libraries) and inverts it by
fixed-point iteration. The inverse reproduces its input through the forward
formula to better than 1e-9 degrees (about 0.1 mm); the forward formula
itself is the accepted public reconstruction of the official transform.
"""

from __future__ import annotations

import numpy as np

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the formula uses it
_EE = 0.00669342162296594323  # Krasovsky eccentricity squared


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offset (dlon, dlat) in degrees that GCJ-02 adds at a WGS-84 point."""
    x = lon - 105.0
    y = lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Forward transform; arrays or scalars, degrees."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


_INVERSE_STEPS = 8


def gcj02_to_wgs84(lon, lat):
    """Inverse transform by fixed-point iteration on the forward formula.

    The offset varies slowly (its gradient is below 1e-4), so each step
    shrinks the error by about four orders of magnitude: 8 steps are far
    more than enough. The step count is fixed, not data-dependent, so a
    vertex converts to the same value whatever array it arrives in.
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(_INVERSE_STEPS):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        wlon = wlon - (flon - glon)
        wlat = wlat - (flat - glat)
    return wlon, wlat


def geometry_gcj02_to_wgs84(geoms):
    """Apply the inverse to every vertex of shapely geometries (array or single).

    Neighbouring polygons share vertices; converting each distinct vertex
    once guarantees that shared vertices stay bit-identical (vectorised
    maths may round differently in different array positions).
    """
    import shapely

    def _xy(coords: np.ndarray) -> np.ndarray:
        uniq, inverse = np.unique(coords, axis=0, return_inverse=True)
        lon, lat = gcj02_to_wgs84(uniq[:, 0], uniq[:, 1])
        return np.column_stack([lon, lat])[inverse.ravel()]

    return shapely.transform(geoms, _xy)
