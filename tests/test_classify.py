"""layers.classify gives the bins mapclassify 2.10 gives (the classes people saw before it)."""

import warnings

import mapclassify
import numpy as np
import pytest

from layers import classify, indicators

REFERENCE = {
    classify.fisher_jenks: mapclassify.FisherJenks,
    classify.quantiles: mapclassify.Quantiles,
    classify.equal_interval: mapclassify.EqualInterval,
}


def _samples(seed: int, count: int):
    """Value sets like the atlas's: 6 to 40 values, spread or tied, small or large."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.integers(6, 41))
        kind = rng.integers(3)
        if kind == 0:
            yield rng.normal(100, 40, n)
        elif kind == 1:
            yield rng.integers(0, 12, n).astype(float)  # many ties
        else:
            yield np.exp(rng.uniform(-3, 12, n))  # skewed, as money is


@pytest.mark.parametrize("ours", list(REFERENCE), ids=lambda f: f.__name__)
def test_bins_are_mapclassifys(ours):
    checked = 0
    for vals in _samples(seed=7, count=1500):
        if len(np.unique(vals)) <= indicators.MAX_CLASSES:
            continue  # indicators.class_breaks takes the values themselves then
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = REFERENCE[ours](vals, k=indicators.MAX_CLASSES).bins
        got = ours(vals, indicators.MAX_CLASSES)
        assert got.tolist() == want.tolist(), vals.tolist()
        checked += 1
    assert checked > 1000


def test_the_server_does_not_import_scipy_or_sklearn():
    import subprocess
    import sys

    code = "import sys, dashboard.app; print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'sklearn', 'mapclassify'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
