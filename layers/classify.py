"""Class breaks of a choropleth: natural breaks (Fisher-Jenks), quantiles, equal intervals.

Computed as mapclassify 2.10 computes its FisherJenks, Quantiles and EqualInterval bins,
so a class means what it did with it. Why not mapclassify itself: importing it imports
scikit-learn and SciPy (for classifiers the atlas does not use), about 80 MB in every
server process. tests/test_classify.py holds these to mapclassify on random values.
fisher_jenks follows mapclassify's _fisher_jenks_means (BSD-3-Clause, the PySAL-mapclassify
developers: LICENSE-mapclassify.txt), float32 sums included, for the same ties.
"""

from __future__ import annotations

import numpy as np


def fisher_jenks(values, k: int) -> np.ndarray:
    """Upper bounds of k classes minimising the variance within them."""
    x = np.sort(np.asarray(values, dtype="f8"))
    n = len(x)
    lower = np.zeros((n + 1, k + 1), dtype=np.int32)  # where the last class starts
    cost = np.zeros((n + 1, k + 1), dtype=np.float32)
    lower[1, 1:] = 1
    cost[2:, 1:] = np.inf
    v = np.float32(0)
    for last in range(2, n + 1):
        s1 = s2 = w = np.float32(0)
        for m in range(1, last + 1):
            first = last - m + 1
            val = np.float32(x[first - 1])
            s2 += val * val
            s1 += val
            w += np.float32(1)
            v = s2 - (s1 * s1) / w
            if first > 1:
                for j in range(2, k + 1):
                    if cost[last, j] >= v + cost[first - 1, j - 1]:
                        lower[last, j] = first
                        cost[last, j] = v + cost[first - 1, j - 1]
        lower[last, 1] = 1
        cost[last, 1] = v
    bins = np.zeros(k + 1, dtype=x.dtype)
    bins[k], bins[0] = x[-1], x[0]
    end = n
    for j in range(k, 1, -1):
        start = lower[end, j]
        bins[j - 1] = x[int(start - 2)]
        end = int(start - 1)
    return bins[1:]


def quantiles(values, k: int) -> np.ndarray:
    """Upper bounds of k classes of (nearly) equal counts: SciPy's scoreatpercentile,
    interpolated by fraction; repeated bounds merged."""
    x = np.sort(np.asarray(values, dtype="f8"))
    step = 100.0 / k
    pcts = np.arange(step, 100 + step, step)
    pcts[-1] = min(pcts[-1], 100.0)
    out = []
    for pct in pcts:
        idx = pct / 100.0 * (len(x) - 1)
        i = int(idx)
        if i == idx:
            out.append(x[i])
        else:
            w = np.array([i + 1 - idx, idx - i])
            out.append(np.add.reduce(x[i : i + 2] * w) / w.sum())
    return np.unique(np.array(out))


def equal_interval(values, k: int) -> np.ndarray:
    """Upper bounds of k classes of equal width."""
    x = np.asarray(values, dtype="f8")
    low, high = min(x), max(x)
    width = (high - low) * 1.0 / k
    cuts = np.arange(low + width, high + width, width)[:k]
    cuts[-1] = high
    return cuts
