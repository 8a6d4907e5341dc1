"""What every page and every export is built from: the store, what the
controls allow, the per-language names, and the view functions that turn a
view (as url_state.parse gives it) into map colours, legend, title and chart."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from dashboard import feature_layers as fl
from dashboard import figures, ids, panels, slides, url_state
from dashboard.i18n import LANGS, TEXT, t
from layers import docking
from layers import features as lf
from layers import imports, user_store
from layers import indicators as ind
from layers.store import Store

DEFAULT = {"indicator": "gdp", "view": "baseline"}
FILTER_KEYS = ("layers", "category", "city", "chapter", "precision", "status", "q")
JIAODONG, DOCKING = "jiaodong-2021", "shandong-docking-2025"
PLAN_CHOICES = {"jiaodong": (JIAODONG,), "docking": (DOCKING,), "both": (JIAODONG, DOCKING)}

# The controls a URL can set, in the order of url_state.KEYS' first part.
URL_CONTROLS = (("indicator", ids.INDICATOR), ("view", ids.VIEW), ("scheme", ids.SCHEME),
                ("layers", ids.LAYERS), ("category", ids.CATEGORY), ("city", ids.CITY),
                ("chapter", ids.CHAPTER), ("precision", ids.PRECISION), ("status", ids.STATUS),
                ("q", ids.SEARCH), ("lang", ids.LANG), ("plan", ids.PLAN), ("group", ids.GROUP),
                ("lead", ids.LEAD), ("vs", ids.COMPARE))
URL_DEFAULTS = {"indicator": DEFAULT["indicator"], "view": DEFAULT["view"], "scheme": "natural_breaks",
                "layers": list(lf.DEFAULT_LAYERS), "lang": "zh", "plan": "jiaodong"}


def control_values(values: dict) -> list:
    """Every URL control's value for a whole view: what `values` leaves out is
    the default (a slide says only what differs from the opening view)."""
    empty = {"q": "", "vs": None}  # a text box, a single choice; the others choose many
    return [values.get(key, URL_DEFAULTS.get(key, empty.get(key, []))) for key, _ in URL_CONTROLS]


def indicator_of(store: Store, indicator: str, lang: str):
    """An indicator's definition, the city codes in map order, and their names."""
    defn = store.indicator_defs.set_index("indicator").loc[indicator]
    codes = list(store.cities["adcode"])
    names = dict(zip(codes, store.cities["name_zh" if lang == "zh" else "name_en"]))
    return defn, codes, names


_rules: dict = {}


def rules_of(store: Store) -> imports.Rules:
    """The checker's rules for this store (units, cities, plausible ranges), worked out once."""
    if id(store) not in _rules:
        _rules[id(store)] = imports.Rules.of(store)
    return _rules[id(store)]


def all_figures(store: Store):
    """The embedded figures and those editors imported (marked), read afresh when they change."""
    return user_store.figures(store.indicators, rules_of(store))


def map_view(store: Store, indicator: str, view: str, lang: str = "zh", scheme: str = "natural_breaks"):
    """The choropleth's colours and hover texts, its legend, its title and its source line."""
    defn, codes, names = indicator_of(store, indicator, lang)
    figs = all_figures(store)
    title = f"{t(f'view.{view}', lang)} · {defn['name_zh'] if lang == 'zh' else defn['name_en']}"
    if view == ind.STATUS_VIEW:  # categorical: no classes
        statuses = ind.city_status(figs, indicator, codes)
        records = [rec for _, target, actual in statuses for rec in (*target.inputs, *actual.inputs)]
        return (figures.status_state(statuses, names, defn, lang), figures.status_legend(lang), title,
                figures.source_summary(records, lang))
    values = ind.city_view(figs, indicator, view, codes)
    breaks = ind.shared_breaks(figs, indicator, view, codes, scheme)
    state = figures.choropleth_state(values, breaks, view, names, defn, lang)
    bounded = any(cv.comparator not in ("", "=") for cv in values)
    sources = figures.source_summary([rec for cv in values for rec in cv.inputs], lang)
    return state, figures.legend(breaks, view, defn, lang, bounded), title, sources


def bar_view(store: Store, indicator: str, lang: str = "zh"):
    """The cities side by side, and the circle's own figures beside their sum."""
    defn, codes, names = indicator_of(store, indicator, lang)
    figs = all_figures(store)
    bars = figures.bar_figure({v: ind.city_view(figs, indicator, v, codes) for v in ind.LEVEL_VIEWS},
                              [names[c] for c in codes], defn, lang)
    totals = ind.circle_totals(figs, indicator, codes, additive=defn["unit"] != "%")
    return bars, panels.circle_summary(totals, defn, names, lang)


@dataclass(frozen=True)
class Page:
    """What every page is built from, made once: the store, what the controls
    allow, and per language the names and the places' drawing data."""
    store: Store
    known: frozenset  # indicators the dropdown offers
    allowed: dict  # categories, cities and chapters the filters offer
    by_id: pd.DataFrame
    positions: pd.DataFrame
    briefings: dict = field(default_factory=dict)  # id -> slides.Briefing
    briefing_errors: list = field(default_factory=list)
    names: dict = field(default_factory=dict)  # lang -> lf.Names
    feature_data: dict = field(default_factory=dict)  # lang -> trace data

    @classmethod
    def make(cls, store: Store) -> Page:
        feats = store.features
        defs = store.indicator_defs
        page = cls(store=store, known=frozenset(defs.loc[defs["city_map"] == "yes", "indicator"]),
                   allowed={"categories": tuple(feats["category"].unique()),
                            # The five cities first, then the rest of Shandong (the docking plan's)
                            "cities": (*store.cities["adcode"],
                                       *store.context.loc[store.context["kind"] == "shandong_city", "code"]),
                            "chapters": tuple(sorted(int(c) for c in feats["chapter"].unique())),
                            "groups": tuple(dict.fromkeys(store.tasks["group"])),
                            "leads": tuple(docking.departments(store.tasks)),
                            "tasks": tuple(int(n) for n in store.tasks["number"])},
                   by_id=feats.set_index("id"), positions=lf.display_points(feats))
        for lang in LANGS:
            page.names[lang] = lf.names_for(store, lang)
            page.feature_data[lang] = fl.trace_data(feats, page.positions, page.names[lang], lang)
        briefings, errors = slides.load_all(page.url_allowed())
        page.briefings.update(briefings)
        page.briefing_errors.extend(errors)
        return page

    def url_allowed(self) -> dict:
        return {**self.allowed, "indicators": tuple(self.known), "features": set(self.by_id.index),
                "briefings": {b.id: len(b.slides) for b in self.briefings.values()}}

    def view(self, search: str | None) -> url_state.ViewState:
        """The view a query string names, checked against what this atlas knows:
        the one place the address bar is read."""
        return url_state.parse(search, self.url_allowed())

    def place_focus(self, fid: str) -> dict | None:
        """Centre and zoom on a place, no closer than its position is known."""
        row = self.by_id.loc[fid]
        if row.geometry is None:
            return None
        return lf.focus_view([row.geometry], max_zoom=lf.MAX_ZOOM[row["precision"]])

    def criteria(self, values: dict) -> lf.Criteria:
        """The places a view shows; `values` as url_state.parse gives them."""
        v = {**URL_DEFAULTS, **values}
        c = lf.Criteria.parse(*(v.get(k) for k in FILTER_KEYS), known=self.allowed,
                              plans=PLAN_CHOICES.get(v["plan"], (JIAODONG,)))
        tasks = self.tasks_chosen(v)
        return c if tasks is None else replace(c, tasks=tasks or (-1,))  # -1: no task matches

    def tasks_chosen(self, v: dict) -> tuple | None:
        """The docking plan's tasks in the chosen groups and led by the chosen
        departments; None when neither is chosen (no restriction)."""
        groups, leads = v.get("group") or [], v.get("lead") or []
        if not groups and not leads:
            return None
        tasks = self.store.tasks
        ok = tasks["group"].isin(groups) if groups else pd.Series(True, index=tasks.index)
        if leads:
            ok &= tasks["lead_departments"].map(lambda s: bool(set(leads) & set(s.split(";"))))
        return tuple(int(n) for n in tasks.loc[ok, "number"])

    def links(self, values: dict) -> pd.DataFrame | None:
        """The docking plan's city–partner links the view shows (None: that plan is not shown)."""
        v = {**URL_DEFAULTS, **values}
        if DOCKING not in PLAN_CHOICES.get(v["plan"], ()):
            return None
        flows = docking.flows_matching(self.store.flows, self.store.tasks, groups=v.get("group") or (),
                                       leads=v.get("lead") or (), cities=v.get("city") or ())
        return docking.links(flows)

    def flow_data(self, values: dict, lang: str) -> dict:
        return fl.flow_data(self.links(values), self.store.tasks, self.names[lang], lang)

    def rows(self, c: lf.Criteria, lang: str) -> list[dict]:
        feats = self.store.features
        return lf.table_rows(feats[lf.matches(feats, c)], self.names[lang], TEXT[lang], lang)


