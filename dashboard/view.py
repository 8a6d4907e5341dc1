"""The view: everything a user sets, one typed value. A shared link, a
briefing's slide, the page's controls and an export all name a view, and all
of them read and write it here.

`View.parse` never trusts what it reads: unknown keys, values of the wrong
type, extents outside the map and markup are dropped, each with a word so that
the page can say what was ignored; the rest is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qsl, urlencode

from dashboard import ids
from dashboard.i18n import LANGS
from layers import indicators as ind
from layers import plans
from layers.features import DEFAULT_LAYERS
from layers.records import FEATURE_LAYERS, FRAME, PRECISIONS, STATUSES

LIST_KEYS = ("layers", "category", "city", "chapter", "precision", "status", "group", "lead")
MODES = ("present",)
ZOOM = (3.5, 14.0)
PRESENTER_KEYS = ("brief", "slide", "mode")  # set by the presenter, never by a slide or a control

# The controls that show a view, each with the key it sets.
CONTROLS = (
    ("indicator", ids.INDICATOR),
    ("view", ids.VIEW),
    ("scheme", ids.SCHEME),
    ("layers", ids.LAYERS),
    ("category", ids.CATEGORY),
    ("city", ids.CITY),
    ("chapter", ids.CHAPTER),
    ("precision", ids.PRECISION),
    ("status", ids.STATUS),
    ("q", ids.SEARCH),
    ("lang", ids.LANG),
    ("plan", ids.PLAN),
    ("group", ids.GROUP),
    ("lead", ids.LEAD),
    ("vs", ids.COMPARE),
    ("read", ids.READ),
)


@dataclass(frozen=True)
class View:
    """One view of the atlas. Defaults are the opening page; `named` are the
    keys a link named (a default the address names stays in the address)."""

    indicator: str = "gdp"
    view: str = "baseline"
    scheme: str = "natural_breaks"
    layers: tuple = DEFAULT_LAYERS
    category: tuple = ()
    city: tuple = ()
    chapter: tuple = ()
    precision: tuple = ()
    status: tuple = ()
    group: tuple = ()  # the docking plan's task groups
    lead: tuple = ()  # and its lead or responsible departments
    q: str = ""
    sel: str | None = None
    lon: float | None = None
    lat: float | None = None
    z: float | None = None
    lang: str = "zh"
    brief: str | None = None
    slide: int | None = None
    mode: str | None = None
    plan: str = plans.DEFAULT
    vs: str | None = None
    read: str | None = None  # a section of a plan's text (layers.plan_text): its places alone
    named: frozenset = frozenset()

    @classmethod
    def parse(cls, query: str | None, allowed: dict) -> tuple[View, list[str]]:
        """The view a query string names, and what it had that was ignored. `allowed`
        maps indicators, categories, cities, chapters, groups, leads, features and
        the plans' sections to their known values, and briefings to their number of slides."""
        raw, dropped = {}, []
        query = query if isinstance(query, str) else ""  # (a forged request may send anything)
        for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True)[:50]:
            if key in KEYS:
                raw[key] = value[:300]
            else:
                dropped.append(_short(key))
        good = {}
        for key, value in raw.items():
            ok = _check(key, value, raw, allowed)
            if ok is _DROP:
                dropped.append(f"{key}={_short(value)}")
            elif isinstance(ok, _Partial):
                dropped.append(f"{key}={_short(ok.bad)}")
                if ok.good or key != "layers":  # no usable layer: the default layers, not an empty map
                    good[key] = ok.good
            else:
                good[key] = ok
        extent = [k for k in ("lon", "lat", "z") if k in good]
        if extent and len(extent) < 3:
            dropped.append("lon/lat/z (all three are needed)")
            for k in extent:
                del good[k]
        return cls(**good, named=frozenset(good)), dropped

    def query(self) -> str:
        """The query string of the view, as the address bar shows it."""
        pairs = []
        for key in KEYS:
            value = getattr(self, key)
            if key not in self.named and value == DEFAULTS[key]:
                continue
            if value in (None, "") or (value == () and key != "layers"):  # no layers at all is a view
                continue
            if isinstance(value, tuple):
                value = ",".join(str(v) for v in value)
            elif isinstance(value, float):
                value = f"{value:.4f}".rstrip("0").rstrip(".")
            pairs.append((key, value))
        return "?" + urlencode(pairs, safe=",") if pairs else ""

    def but(self, **changes) -> View:
        """This view with some keys set (and named, so that the address shows them);
        a key set to None or its default goes back to the default and is unnamed."""
        changes = {k: tuple(v) if k in LIST_KEYS and v is not None else v for k, v in changes.items()}
        reset = {k for k, v in changes.items() if v is None or (v == DEFAULTS[k] and k != "layers")}
        values = {k: (DEFAULTS[k] if k in reset else v) for k, v in changes.items()}
        return replace(self, **values, named=frozenset((self.named | changes.keys()) - reset))

    @property
    def focus(self) -> dict | None:
        """The extent the view names, as the map takes it."""
        if self.z is None:
            return None
        return {"center": {"lon": self.lon, "lat": self.lat}, "zoom": self.z}

    @property
    def presenter(self) -> dict:
        """The presenter's keys the view names (briefing, slide, mode)."""
        return {k: getattr(self, k) for k in PRESENTER_KEYS if getattr(self, k) is not None}

    def control_values(self, skip=()) -> list:
        """Every control's value for this view (lists where a control chooses many)."""
        return [list(getattr(self, k)) if k in LIST_KEYS else getattr(self, k) for k, _ in CONTROLS if k not in skip]

    @property
    def name(self) -> str:
        """A file name for an export of the view."""
        return f"jiaodong-{self.indicator}-{self.view}"


KEYS = tuple(f.name for f in fields(View) if f.name != "named")
DEFAULTS = {f.name: f.default for f in fields(View) if f.name != "named"}


def spec() -> dict:
    """What the browser needs to write a view's query string as `View.query` does
    (assets/callbacks.js): the keys in order, their defaults, which are lists."""
    return {
        "keys": KEYS,
        "defaults": {k: list(v) if isinstance(v, tuple) else v for k, v in DEFAULTS.items()},
        "lists": LIST_KEYS,
        "controls": [k for k, _ in CONTROLS],
        "presenter": PRESENTER_KEYS,
    }


_DROP = object()


@dataclass(frozen=True)
class _Partial:
    good: tuple
    bad: str


def _check(key: str, value: str, raw: dict, allowed: dict):
    """The typed value of one key, _DROP, or a _Partial list."""
    one = {
        "indicator": allowed.get("indicators", ()),
        "view": ind.VIEWS,
        "scheme": tuple(ind.SCHEMES),
        "lang": LANGS,
        "mode": MODES,
        "brief": tuple(allowed.get("briefings", {})),
        "plan": tuple(plans.CHOICES),
        "vs": ind.LEVEL_VIEWS,
        "sel": tuple(allowed.get("features", ())),
        "read": tuple(allowed.get("sections", ())),
    }
    if key in one:
        return value if value in one[key] else _DROP
    if key in LIST_KEYS:
        choices = {
            "layers": FEATURE_LAYERS,
            "category": allowed.get("categories", ()),
            "city": allowed.get("cities", ()),
            "precision": PRECISIONS,
            "status": STATUSES,
            "chapter": tuple(str(c) for c in allowed.get("chapters", ())),
            "group": allowed.get("groups", ()),
            "lead": allowed.get("leads", ()),
        }[key]
        items = [v for v in value.split(",") if v]
        kept = tuple(int(v) if key == "chapter" else v for v in items if v in choices)
        bad = [v for v in items if v not in choices]
        return _Partial(kept, ",".join(bad)) if bad else kept
    if key == "q":
        return value[:100]
    if key == "slide":
        count = allowed.get("briefings", {}).get(raw.get("brief"))
        ok = count and value.isascii() and value.isdigit() and 1 <= int(value) <= count
        return int(value) if ok else _DROP
    low, high = {"lon": (FRAME[0], FRAME[2]), "lat": (FRAME[1], FRAME[3]), "z": ZOOM}[key]
    try:
        number = float(value)
    except ValueError:
        return _DROP
    return number if math.isfinite(number) and low <= number <= high else _DROP


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"
