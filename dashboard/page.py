"""What every page and every export is built from: the store, what the
controls allow, the per-language names, and the view functions that turn a
view (dashboard.view.View) into map colours, legend, title and chart."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace

import pandas as pd
from plotly.io.json import to_json_plotly

from dashboard import feature_layers as fl
from dashboard import figures, panels, slides
from dashboard.i18n import LANGS, TEXT, t
from dashboard.view import View
from layers import docking, imports, plan_text, plans, user_store
from layers import features as lf
from layers import indicators as ind
from layers.store import Store


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
        return (
            figures.status_state(statuses, names, defn, lang),
            figures.status_legend(lang),
            title,
            figures.source_summary(records, lang),
        )
    values = ind.city_view(figs, indicator, view, codes)
    breaks = ind.shared_breaks(figs, indicator, view, codes, scheme)
    state = figures.choropleth_state(values, breaks, view, names, defn, lang)
    bounded = any(cv.comparator not in ("", "=") for cv in values)
    sources = figures.source_summary([rec for cv in values for rec in cv.inputs], lang)
    return state, figures.legend(breaks, view, defn, lang, bounded), title, sources


def map_outputs(store: Store, indicator: str, view: str, lang: str, scheme: str) -> tuple:
    """The map's colours, its legend (as components), title and source line."""
    state, legend, title, sources = map_view(store, indicator, view, lang, scheme)
    return state, figures.legend_html(legend), title, sources


def bar_view(store: Store, indicator: str, lang: str = "zh"):
    """The cities side by side, and the circle's own figures beside their sum."""
    defn, codes, names = indicator_of(store, indicator, lang)
    figs = all_figures(store)
    bars = figures.bar_figure(
        {v: ind.city_view(figs, indicator, v, codes) for v in ind.LEVEL_VIEWS}, [names[c] for c in codes], defn, lang
    )
    totals = ind.circle_totals(figs, indicator, codes, additive=defn["unit"] != "%")
    return bars, panels.circle_summary(totals, defn, names, lang)


_switches: dict = {}  # (store id, figures version, lang) -> (store, table)
_switches_lock = threading.Lock()


def switch_table(store: Store, known, lang: str) -> dict:
    """What a switch of indicator, view or scheme shows, for every choice in one language,
    as the page's store holds it: the page switches from it without the server.
    Worked out once per store, figures version (user_store.version) and language."""
    all_figures(store)  # brings the version up to date
    key = (id(store), user_store.version(), lang)
    with _switches_lock:  # two pages at once: one build
        if key not in _switches:
            table = {
                "map": {
                    f"{i}|{v}|{s}": map_outputs(store, i, v, lang, s)
                    for i in sorted(known)
                    for v in ind.VIEWS
                    for s in ind.SCHEMES
                },
                "bar": {i: bar_view(store, i, lang) for i in sorted(known)},
            }
            for old in [k for k in _switches if k[:2] != key[:2]]:  # another store or version
                del _switches[old]
            # JSON once: each page is sent the same plain data (components as Dash sends them)
            _switches[key] = (store, json.loads(to_json_plotly(table)))
        return _switches[key][1]


@dataclass(frozen=True)
class Page:
    """What every page is built from, made once: the store, what the controls
    allow, and per language the names and the places' drawing data."""

    store: Store
    known: frozenset  # indicators the dropdown offers
    allowed: dict  # categories, cities and chapters the filters offer
    by_id: pd.DataFrame
    positions: pd.DataFrame
    names: dict  # lang -> lf.Names
    feature_data: dict  # lang -> trace data
    library: plan_text.Library  # the plans' texts in sections, and each section's places
    briefings: dict  # id -> slides.Briefing
    briefing_errors: list
    anchors: dict = field(default_factory=dict)  # city -> where its name and badge stand (lf.city_points)

    @classmethod
    def make(cls, store: Store) -> Page:
        feats, defs = store.features, store.indicator_defs
        known = frozenset(defs.loc[defs["city_map"] == "yes", "indicator"])
        allowed = {
            "categories": tuple(feats["category"].unique()),
            # The five cities first, then the rest of Shandong (the docking plan's)
            "cities": (*store.cities["adcode"], *store.context.loc[store.context["kind"] == "shandong_city", "code"]),
            "chapters": tuple(sorted(int(c) for c in feats["chapter"].unique())),
            "groups": tuple(dict.fromkeys(store.tasks["group"])),
            "leads": tuple(docking.departments(store.tasks)),
            "tasks": tuple(int(n) for n in store.tasks["number"]),
        }
        library = plan_text.Library.make(store)
        allowed["sections"] = tuple(library.sections)
        by_id, positions = feats.set_index("id"), lf.display_points(feats)
        names = {lang: lf.names_for(store, lang) for lang in LANGS}
        anchors = lf.city_points(store, feats)
        feature_data = {lang: fl.trace_data(feats, positions, names[lang], lang, anchors) for lang in LANGS}
        page = cls(store, known, allowed, by_id, positions, names, feature_data, library, {}, [])
        briefings, errors = slides.load_all(page.parse)  # each slide's view read as a link is
        return replace(page, briefings=briefings, briefing_errors=errors, anchors=anchors)

    def switches(self, lang: str) -> dict:
        return switch_table(self.store, self.known, lang)

    def url_allowed(self) -> dict:
        return {
            **self.allowed,
            "indicators": tuple(self.known),
            "features": set(self.by_id.index),
            "briefings": {b.id: len(b.slides) for b in self.briefings.values()},
        }

    def parse(self, query: str | None) -> tuple[View, list[str]]:
        """The view a query string names, checked against what this atlas knows, and
        what it had that was ignored: the one place a query string is read."""
        return View.parse(query, self.url_allowed())

    def view(self, query: str | None) -> View:
        return self.parse(query)[0]

    def place_focus(self, fid: str) -> dict | None:
        """Centre and zoom on a place, no closer than its position is known."""
        row = self.by_id.loc[fid]
        if row.geometry is None:
            return None
        return lf.focus_view([row.geometry], max_zoom=lf.MAX_ZOOM[row["precision"]])

    def opening_focus(self, view: View) -> dict:
        """Where a page opened on a view starts: its extent, else its place's, else its plans'.
        A briefing's slide frames what it shows (slide_focus)."""
        if view.brief:
            return self.slide_focus(view)
        return view.focus or (view.sel and self.place_focus(view.sel)) or plans.frame(view.plan)

    def slide_focus(self, view: View) -> dict:
        """A slide's extent, with the bounds of what it shows (its places, else its plan's
        cities), which the browser keeps clear of the legend and the caption."""
        focus = view.focus or plans.frame(view.plan)
        feats = self.store.features
        hits = feats[lf.matches(feats, self.criteria(view))]
        shown = lf.focus_view(hits.geometry) if len(hits) else None
        return {**focus, "bounds": (shown or plans.frame(view.plan))["bounds"]}

    def criteria(self, view: View) -> lf.Criteria:
        """The places a view shows."""
        c = lf.Criteria.parse(
            layers=view.layers,
            categories=view.category,
            cities=view.city,
            chapters=view.chapter,
            precisions=view.precision,
            statuses=view.status,
            text=view.q,
            known=self.allowed,
            plans=plans.CHOICES[view.plan],
        )
        tasks = self.tasks_chosen(view)
        c = c if tasks is None else replace(c, tasks=tasks or (-1,))  # -1: no task matches
        if view.read in self.library.places:  # "": a section that quotes no place shows none
            c = replace(c, places=self.library.places[view.read] or ("",))
        return c

    def tasks_chosen(self, view: View) -> tuple | None:
        """The docking plan's tasks in the chosen groups and led by the chosen
        departments; None when neither is chosen (no restriction)."""
        if not view.group and not view.lead:
            return None
        tasks = self.store.tasks
        ok = tasks["group"].isin(view.group) if view.group else pd.Series(True, index=tasks.index)
        if view.lead:
            ok &= tasks["lead_departments"].map(lambda s: bool(set(view.lead) & set(s.split(";"))))
        return tuple(int(n) for n in tasks.loc[ok, "number"])

    def links(self, view: View) -> pd.DataFrame | None:
        """The docking plan's city–partner links the view shows (None: that plan is not shown)."""
        if plans.DOCKING not in plans.CHOICES[view.plan]:
            return None
        flows = docking.flows_matching(
            self.store.flows, self.store.tasks, groups=view.group, leads=view.lead, cities=view.city
        )
        return docking.links(flows)

    def flow_data(self, view: View, lang: str) -> dict:
        return fl.flow_data(self.links(view), self.store.tasks, self.names[lang], lang)

    def rows(self, c: lf.Criteria, lang: str) -> list[dict]:
        feats = self.store.features
        return lf.table_rows(feats[lf.matches(feats, c)], self.names[lang], TEXT[lang], lang)
