"""The plan reader: both plans' texts under the map, their contents, a search in
them, and links both ways between the plan's words and the places that quote them.

The page carries the contents and where each place's quote stands (a few KB). A
part's text (a chapter of the Jiaodong plan, a part of the docking plan) comes on
demand, once: /plan-text/<version>/<lang>/<part>.json, 0.3–6 KB gzipped, cached
for good (its address names the version), kept by the browser (assets/reader.js). A chosen
section (view.read, "show this section") filters the map and table through
Page.criteria like any other filter.
"""

from __future__ import annotations

import hashlib
import json
import re

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from flask import Response, abort

from dashboard import ids
from dashboard.i18n import LANGS, t
from dashboard.page import Page
from dashboard.view import View
from layers import plan_text, plans

ROUTE = "/plan-text/"  # (assets/reader.js asks for its parts there)
MAX_HITS = 40
SNIPPET = 18  # characters either side of a hit
PART_CHARS = 4000  # a top-level section longer than this (the docking plan's tasks) is sent a group at a time


def parts(library: plan_text.Library) -> dict:
    """Each section's part, the unit its text is sent in: its top-level section with
    everything below it, or, in a long one, its group."""
    out = {}
    for doc in library.texts.values():
        for s in doc.sections:
            top = library.sections[doc.parts[s.id]]
            if doc.subtree_end[top.id] - top.start <= PART_CHARS or s.parent is None:
                out[s.id] = top.id
            else:
                out[s.id] = s.id if s.parent == top.id else s.parent
    return out


def _numbered(library: plan_text.Library) -> dict:
    """Each section's part, by its number in the order of the texts."""
    of = parts(library)
    order = {sid: i for i, sid in enumerate(dict.fromkeys(of.values()))}
    return {sid: order[part] for sid, part in of.items()}


def tab(page: Page, view: View) -> dcc.Tab:
    """The reader's tab, opened on the view's section."""
    lang = view.lang
    return dcc.Tab(
        html.Div(
            [
                html.Div(
                    [
                        dcc.Input(
                            id=ids.READ_SEARCH,
                            type="search",
                            placeholder=t("reader.search", lang),
                            debounce=True,
                            maxLength=50,
                            className="search",
                        ),
                        html.Button(t("reader.show", lang), className="reader-show", disabled=True),
                        html.Span(className="reader-filter", role="status"),
                    ],
                    className="reader-bar",
                ),
                html.Div(
                    [
                        html.Nav(_contents(page, lang), className="reader-toc"),
                        html.Div(
                            [
                                html.Div(id=ids.READ_HITS, className="reader-hits"),
                                html.Article(html.P(t("reader.pick", lang), className="hint"), className="reader-text"),
                            ],
                            className="reader-main",
                        ),
                    ],
                    className="reader-body",
                ),
                dcc.Input(id=ids.READ, type="hidden", value=view.read),
                dcc.Store(id=ids.READ_INDEX, data=_reading(page)["index"]),
                html.Div(id=ids.READ_SYNC, hidden=True),
            ],
            id=ids.READER,
            className="reader",
            # What the script needs to fetch and to speak: the text's version and the page's words.
            **{
                "data-lang": lang,
                "data-version": _reading(page)["version"],
                "data-words": json.dumps(
                    {k: t(f"reader.{k}", lang) for k in ("showing", "showing_none", "all", "none", "places")},
                    ensure_ascii=False,
                ),
            },
        ),
        label=t("tab.reader", lang),
        value="reader",
        id=f"{ids.TABLES}-reader",
    )


def _contents(page: Page, lang: str) -> list:
    library, out = page.library, []
    numbered = _numbered(library)
    for plan, doc in library.texts.items():
        out.append(html.H4(t(f"plan.{plans.key_of(plan)}", lang)))
        for s in doc.sections:
            n = len(library.places[s.id])
            out.append(
                html.Button(
                    [s.title, html.Span(n, className="n") if n else None],
                    className=f"toc l{s.level}",
                    title=s.title,
                    **{"data-sid": s.id, "data-part": numbered[s.id], "data-plan": plans.key_of(plan)},
                    **({"data-n": n} if n else {}),
                )
            )
    return out


def register(app: Dash, page: Page) -> None:
    reading = _reading(page)

    @app.server.route(f"{ROUTE}<version>/<lang>/<int:part>.json")
    def plan_text_part(version, lang, part):
        body = reading["payloads"].get((lang, part))
        if body is None or version != reading["version"]:
            abort(404)
        resp = Response(body, mimetype="application/json")
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # the address names the version
        return resp

    @app.callback(
        Output(ids.READ_HITS, "children"),
        Input(ids.READ_SEARCH, "value"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def search(words, lang):
        if lang not in LANGS:
            lang = "zh"
        return hits(page, words if isinstance(words, str) else "", lang)

    # The section the view names is opened (and the filter it sets is said).
    app.clientside_callback(
        ClientsideFunction("reader", "filter"),
        Output(ids.READ_SYNC, "children"),
        Input(ids.READ, "value"),
    )
    # A place selected (map, table, panel or text) is shown in the text, when the reader is open.
    app.clientside_callback(
        ClientsideFunction("reader", "reveal"),
        Output(ids.READ_SYNC, "title"),
        Input(ids.SELECTED, "data"),
        Input(ids.TABLES, "value"),
        State(ids.READ_INDEX, "data"),
    )


def hits(page: Page, words: str, lang: str) -> list:
    """Where the words stand in the plans: each hit its section and a few words either side."""
    words = words.strip()[:50]
    if not words:
        return []
    library, out = page.library, []
    numbered = _numbered(library)
    pattern = re.compile(re.escape(words), re.IGNORECASE)
    for doc in library.texts.values():
        for m in pattern.finditer(doc.text):
            if len(out) == MAX_HITS:
                break
            s = next(s for s in doc.sections if s.start <= m.start() < s.end)
            before = doc.text[max(s.start, m.start() - SNIPPET) : m.start()]
            after = doc.text[m.end() : m.end() + SNIPPET]
            out.append(
                html.Button(
                    [html.B(s.title), " …", before, html.Mark(m.group(0)), after, "…"],
                    className="hit",
                    **{"data-sid": s.id, "data-part": numbered[s.id], "data-words": words},
                )
            )
    head = t("reader.hits_first" if len(out) == MAX_HITS else "reader.hits", lang).format(n=len(out))
    head = head if out else t("reader.no_hits", lang)
    return [html.Div(head, className="hits-head"), *out]


_built: dict = {}


def _reading(page: Page) -> dict:
    """Every part's text in each language, its version, and each place's mark: made once per page."""
    if id(page) not in _built:
        payloads, index = {}, {}
        for lang in LANGS:
            for i, sid in enumerate(dict.fromkeys(parts(page.library).values())):
                data = _part(page, sid, i, lang, index if lang == LANGS[0] else {})
                payloads[(lang, i)] = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        digest = hashlib.sha256(b"".join(payloads[k] for k in sorted(payloads))).hexdigest()[:12]
        index = {fid: entry[:3] for fid, entry in index.items()}  # part, section, mark
        _built[id(page)] = {"payloads": payloads, "version": digest, "index": index}
    return _built[id(page)]


def _part(page: Page, part: str, numbered: int, lang: str, index: dict) -> dict:
    """A part's sections, each as heading and paragraphs of pieces: plain text, or
    [text, mark] where some row quotes it; the marks, each with its places and a title.
    `index` gets, for each place, the part, section and mark of its own quote."""
    library = page.library
    top = library.sections[part]
    doc = library.texts[top.plan]
    of = parts(library)
    members = [s for s in doc.sections if of[s.id] == part]  # (one run of sections)
    end = members[-1].end
    quotes = [q for q in library.quotes if q.plan == top.plan and q.start < end and q.end > top.start]
    marks, keys, sections = [], {}, []

    def pieces(a: int, b: int, sid: str) -> list:
        cuts = sorted({a, b, *(x for q in quotes for x in (q.start, q.end) if a < x < b)})
        out = []
        for x, y in zip(cuts, cuts[1:]):
            cover = tuple(i for i, q in enumerate(quotes) if q.start <= x and q.end >= y)
            if not cover:
                out.append(doc.text[x:y])
                continue
            if cover not in keys:
                keys[cover] = len(marks)
                marks.append(_mark(page, [quotes[i] for i in cover], lang))
                for fid in marks[-1]["ids"]:
                    own = page.by_id.loc[fid, "plan"] == top.plan
                    if fid not in index or (own and not index[fid][3]):
                        index[fid] = [numbered, sid, keys[cover], own]
            out.append([doc.text[x:y], keys[cover]])
        return out

    for s in members:
        blocks = [{"h": 1, "p": pieces(s.start, s.body, s.id)}] if s.body > s.start else []
        blocks += [{"p": pieces(a, b, s.id)} for a, b in _paragraphs(doc.text, s.body, s.end)]
        sections.append(
            {"id": s.id, "title": s.title, "level": s.level, "n": len(library.places[s.id]), "blocks": blocks}
        )
    return {"part": numbered, "sections": sections, "marks": marks}


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the non-blank lines, without their surrounding spaces."""
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"\S(?:[^\n]*\S)?", text[start:end])]


def _mark(page: Page, quoting: list, lang: str) -> dict:
    """The places among the rows that quote a piece of text, and what each row is."""
    names, store = page.names[lang], page.store
    fids = list(dict.fromkeys(q.key for q in quoting if q.kind == "place"))
    labels = []
    for q in quoting:
        if q.kind == "place":
            row = page.by_id.loc[q.key]
            labels.append(row["name_zh"] if lang == "zh" else row["name_en"])
        elif q.kind == "task":
            labels.append(t("task.n", lang).format(n=q.key))
        elif q.kind == "flow":
            task, city, partner = q.key.split("|")
            ends = f"{names.cities.get(city, city)} – {names.regions.get(partner, partner)}"
            labels.append(f"{t('reader.flow', lang)} {t('task.n', lang).format(n=task)}: {ends}")
        elif q.kind == "figure":
            r = store.indicators.iloc[int(q.key)]
            labels.append(f"{t('reader.figure', lang)}: {r.original_text} ({r.year})")
        else:
            labels.append(f"{t('reader.city', lang)}: {names.cities.get(q.key, q.key)}")
    labels = list(dict.fromkeys(labels))
    return {"ids": fids, "title": "\n".join(labels[:8] + (["…"] if len(labels) > 8 else []))}
