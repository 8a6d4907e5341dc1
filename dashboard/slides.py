"""Briefings: ordered views with a title and a note each, kept as YAML files
a presenter can edit by hand, commit and share (dashboard/briefings/*.yaml).

A slide's view is a query string exactly as the address bar shows it, so a
view is put on a slide by copying its link.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import figures, ids, url_state
from dashboard.i18n import LANGS, t

BRIEFINGS = Path(__file__).resolve().parent / "briefings"
SLIDE_KEYS = ("brief", "slide", "mode", "lang")  # set by the presenter, not by a slide


class BriefingError(ValueError):
    pass


@dataclass(frozen=True)
class Slide:
    title: dict  # lang -> text
    note: dict
    view: str  # a query string


@dataclass(frozen=True)
class Briefing:
    id: str  # the file's stem
    title: dict
    slides: tuple


def _texts(value, where: str) -> dict:
    """{zh, en} texts; a plain string serves both languages."""
    if isinstance(value, str):
        return {lang: value for lang in LANGS}
    if isinstance(value, dict) and "zh" in value and all(isinstance(v, str) for v in value.values()):
        return {lang: value.get(lang) or value["zh"] for lang in LANGS}
    raise BriefingError(f"{where}: needs a text, or zh: and en: texts")


def load(path: Path, allowed: dict) -> Briefing:
    """One briefing file, every slide's view checked as a shared link is."""
    name = path.name
    try:
        doc = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BriefingError(f"{name}: not readable YAML ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("slides"), list) or not doc["slides"]:
        raise BriefingError(f"{name}: needs a title and a list of slides")
    slides = []
    for n, raw in enumerate(doc["slides"], 1):
        where = f"{name}, slide {n}"
        if not isinstance(raw, dict) or not isinstance(raw.get("view", ""), str):
            raise BriefingError(f"{where}: needs title, note and view")
        view = raw.get("view", "")
        state = url_state.parse(view, allowed)
        extra = [k for k in state.values if k in SLIDE_KEYS]
        if state.dropped or extra:
            raise BriefingError(f"{where}: the view has parts the atlas does not know: "
                                f"{'; '.join(state.dropped + extra)}")
        slides.append(Slide(_texts(raw.get("title"), f"{where}, title"),
                            _texts(raw.get("note", ""), f"{where}, note"), view))
    return Briefing(path.stem, _texts(doc.get("title"), f"{name}, title"), tuple(slides))


def load_all(allowed: dict, folder: Path = BRIEFINGS) -> tuple[dict, list]:
    """Every briefing in the folder, and a message for each that is broken
    (a broken file is left out and named; the others still load)."""
    briefings, errors = {}, []
    for path in sorted(folder.glob("*.yaml")):
        try:
            briefings[path.stem] = load(path, allowed)
        except BriefingError as exc:
            errors.append(str(exc))
    return briefings, errors


def slide_view(briefing: Briefing, number: int, allowed: dict) -> dict:
    return url_state.parse(briefing.slides[number - 1].view, allowed).values


def controls(briefings: dict, lang: str) -> list:
    """The briefing chooser and the presentation switch, for the header."""
    return [
        dcc.Dropdown([{"label": b.title[lang], "value": b.id} for b in briefings.values()], None,
                     id=ids.BRIEFING, placeholder=t("briefing.choose", lang), clearable=False,
                     className="briefing-choose"),
        html.Button(t("present", lang), id=ids.PRESENT, className="present-button"),
    ]


def caption() -> list:
    """The slide's title, note and number, with the buttons a clicker presses."""
    return [html.Div([
        html.Div(id=ids.SLIDE_TEXT),
        html.Div([html.Button("‹", id=ids.SLIDE_PREV), html.Span(id=ids.SLIDE_COUNT),
                  html.Button("›", id=ids.SLIDE_NEXT),
                  html.Button("✕", id=ids.PRESENT_EXIT, className="present-exit")],
                 className="slide-nav"),
    ], id=ids.SLIDE_CAPTION, className="slide-caption")]


def register(app: Dash, page) -> None:
    """Stepping through a briefing, and the presentation mode, all through the URL."""
    from dashboard.page import URL_CONTROLS, control_values  # one list of controls

    @app.callback(*[Output(cid, "value", allow_duplicate=True) for _, cid in URL_CONTROLS
                    if cid != ids.LANG],
                  Output(ids.SELECTED, "data", allow_duplicate=True),
                  Output(ids.FOCUS, "data", allow_duplicate=True),
                  Output(ids.URL, "search", allow_duplicate=True),
                  Output(ids.BEFORE_BRIEFING, "data"),
                  Input(ids.BRIEFING, "value"), Input(ids.SLIDE_PREV, "n_clicks"),
                  Input(ids.SLIDE_NEXT, "n_clicks"), State(ids.URL, "search"), State(ids.LANG, "value"),
                  State(ids.BEFORE_BRIEFING, "data"), prevent_initial_call=True)
    def go_to_slide(chosen, prev, next_, search, lang, before):
        # A page rebuilt in another language calls this with nothing clicked.
        pressed = {ids.BRIEFING: chosen, ids.SLIDE_PREV: prev, ids.SLIDE_NEXT: next_}.get(ctx.triggered_id)
        if not pressed:
            raise PreventUpdate
        now = page.view(search).values
        if ctx.triggered_id == ids.BRIEFING:
            brief, number = chosen, 1
        else:
            brief, number = now.get("brief"), now.get("slide", 1)
            number += 1 if ctx.triggered_id == ids.SLIDE_NEXT else -1
        if brief not in page.briefings:
            raise PreventUpdate
        briefing = page.briefings[brief]
        if not 1 <= number <= len(briefing.slides):
            raise PreventUpdate  # before the first or past the last slide: stay
        values = slide_view(briefing, number, page.url_allowed())
        # The view before the briefing, to return to when it ends.
        before = before if "brief" in now else search or ""
        return (*_view_outputs(values), url_state.encode({**values, "lang": lang if lang != "zh" else None,
                                                           "brief": brief, "slide": number, "mode": "present"}),
                before)

    def _view_outputs(values: dict) -> tuple:
        """Every control but the language, the selection and the extent, set to a view."""
        controls_ = [v for (key, _), v in zip(URL_CONTROLS, control_values(values)) if key != "lang"]
        return (*controls_, values.get("sel"), values.get("focus", no_update))

    @app.callback(Output(ids.SLIDE_TEXT, "children"), Output(ids.SLIDE_COUNT, "children"),
                  Output(ids.ROOT, "className"),
                  Input(ids.URL, "search"), Input(ids.LANG, "value"))
    def show_slide(search, lang):
        lang = lang if lang in LANGS else "zh"
        now = page.view(search).values
        mode = "app present" if now.get("mode") == "present" else "app"
        briefing = page.briefings.get(now.get("brief"))
        if briefing is None:
            return [], "", mode
        number = now.get("slide", 1)
        slide = briefing.slides[number - 1]
        return ([html.Div(briefing.title[lang], className="slide-briefing"),
                 html.H2(slide.title[lang]), html.P(slide.note[lang])],
                t("briefing.slide", lang).format(n=number, total=len(briefing.slides)), mode)

    @app.callback(*[Output(cid, "value", allow_duplicate=True) for _, cid in URL_CONTROLS
                    if cid != ids.LANG],
                  Output(ids.SELECTED, "data", allow_duplicate=True),
                  Output(ids.FOCUS, "data", allow_duplicate=True),
                  Output(ids.URL, "search", allow_duplicate=True),
                  Output(ids.BEFORE_BRIEFING, "data", allow_duplicate=True),
                  Input(ids.PRESENT, "n_clicks"), Input(ids.PRESENT_EXIT, "n_clicks"),
                  State(ids.URL, "search"), State(ids.LANG, "value"), State(ids.BEFORE_BRIEFING, "data"),
                  prevent_initial_call=True)
    def toggle_present(enter, leave, search, lang, before):
        if not (enter if ctx.triggered_id == ids.PRESENT else leave):
            raise PreventUpdate  # a rebuilt page, nothing clicked
        values = page.view(search).values
        keep = [no_update] * (len(URL_CONTROLS) + 1)
        if ctx.triggered_id == ids.PRESENT:
            return (*keep, url_state.encode({**values, "mode": "present"}), no_update)
        if "brief" in values and isinstance(before, str):
            # Leaving a briefing returns to the view from before it, in the language now shown.
            values = {**page.view(before).values, "lang": lang if lang != "zh" else None}
            return (*_view_outputs({"focus": figures.PLAN_VIEWS[values.get("plan", "jiaodong")], **values}),
                    url_state.encode(values), None)
        values = {k: v for k, v in values.items() if k not in ("mode", "brief", "slide")}
        return (*keep, url_state.encode(values), None)

    # A projector wants the whole screen; the browser allows it on a click.
    app.clientside_callback(
        """function(n) {
            if (n && document.fullscreenEnabled && !document.fullscreenElement) {
                document.documentElement.requestFullscreen().catch(function () {});
            }
            return window.dash_clientside.no_update;
        }""",
        Output(ids.PRESENT, "title"), Input(ids.PRESENT, "n_clicks"), prevent_initial_call=True)

