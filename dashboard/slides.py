"""Briefings: ordered views with a title and a note each, kept as YAML files
a presenter can edit by hand, commit and share (dashboard/briefings/*.yaml).

A slide's view is a query string exactly as the address bar shows it, so a
view is put on a slide by copying its link.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard import view as views
from dashboard.i18n import LANGS, t
from dashboard.view import View
from layers import plans

BRIEFINGS = Path(__file__).resolve().parent / "briefings"
SLIDE_KEYS = (*views.PRESENTER_KEYS, "lang")  # set by the presenter, not by a slide


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


def load(path: Path, parse) -> Briefing:
    """One briefing file, every slide's view checked as a shared link is (`parse`:
    a query string -> the view and what was ignored, as Page.parse)."""
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
        parsed, dropped = parse(view)
        extra = [k for k in parsed.named if k in SLIDE_KEYS]
        if dropped or extra:
            raise BriefingError(f"{where}: the view has parts the atlas does not know: {'; '.join(dropped + extra)}")
        slides.append(
            Slide(_texts(raw.get("title"), f"{where}, title"), _texts(raw.get("note", ""), f"{where}, note"), view)
        )
    return Briefing(path.stem, _texts(doc.get("title"), f"{name}, title"), tuple(slides))


def load_all(parse, folder: Path = BRIEFINGS) -> tuple[dict, list]:
    """Every briefing in the folder, and a message for each that is broken
    (a broken file is left out and named; the others still load)."""
    briefings, errors = {}, []
    for path in sorted(folder.glob("*.yaml")):
        try:
            briefings[path.stem] = load(path, parse)
        except BriefingError as exc:
            errors.append(str(exc))
    return briefings, errors


def controls(briefings: dict, lang: str) -> list:
    """The briefing chooser and the presentation switch, for the header."""
    return [
        dcc.Dropdown(
            [{"label": b.title[lang], "value": b.id} for b in briefings.values()],
            None,
            id=ids.BRIEFING,
            placeholder=t("briefing.choose", lang),
            clearable=False,
            className="briefing-choose",
        ),
        html.Button(t("present", lang), id=ids.PRESENT, className="present-button"),
    ]


def caption(briefings: dict, presenter: dict | None, lang: str) -> list:
    """The slide's title, note and number, with the buttons a clicker presses."""
    words, count, _ = shown(briefings, presenter, lang)
    return [
        html.Div(
            [
                html.Div(words, id=ids.SLIDE_TEXT),
                html.Div(
                    [
                        html.Button("‹", id=ids.SLIDE_PREV),
                        html.Span(count, id=ids.SLIDE_COUNT),
                        html.Button("›", id=ids.SLIDE_NEXT),
                        html.Button("✕", id=ids.PRESENT_EXIT, className="present-exit"),
                    ],
                    className="slide-nav",
                ),
            ],
            id=ids.SLIDE_CAPTION,
            className="slide-caption",
        )
    ]


def register(app: Dash, page) -> None:
    """Stepping through a briefing, and the presentation mode: the presenter's part of
    the view (ids.PRESENTER) and the controls set to each slide's view."""
    _stepping(app, page)
    _caption(app, page)
    _presenting(app, page)


def _view_outputs() -> list:
    return [
        *[Output(cid, "value", allow_duplicate=True) for key, cid in views.CONTROLS if key != "lang"],
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.FOCUS, "data", allow_duplicate=True),
        Output(ids.VIEW_QUERY, "data", allow_duplicate=True),
    ]


def _show(view: View, focus) -> tuple:
    """Every control but the language, the selection, the extent and the view itself (so that
    the address names the view at once, not the extent a map move reports later)."""
    return (*view.control_values(skip=("lang",)), view.sel, focus or no_update, view.query())


def _stepping(app: Dash, page) -> None:
    # The next slide is worked out in the browser, one key press after another (callbacks.js,
    # stepSlide). A server callback given two presses at once (Dash 4.4 sends a callback
    # triggered twice before it is dispatched as one request) could not tell their order.
    app.clientside_callback(
        ClientsideFunction("atlas", "stepSlide"),
        Output(ids.SLIDE_TARGET, "data"),
        Output(ids.SLIDE_CAPTION, "className", allow_duplicate=True),
        Input(ids.BRIEFING, "value"),
        Input(ids.SLIDE_PREV, "n_clicks"),
        Input(ids.SLIDE_NEXT, "n_clicks"),
        State(ids.SLIDE_TARGET, "data"),
        State(ids.PRESENTER, "data"),
        State(ids.BRIEFING_SIZES, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        *_view_outputs(),
        Output(ids.PRESENTER, "data"),
        Output(ids.BEFORE_BRIEFING, "data"),
        Input(ids.SLIDE_TARGET, "data"),
        State(ids.PRESENTER, "data"),
        State(ids.VIEW_QUERY, "data"),
        State(ids.BEFORE_BRIEFING, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def go_to_slide(target, presenter, query, before, lang):
        """Shows the slide asked for (the latest, if asked for twice at once)."""
        target = _presenter(target)
        brief, number = target.get("brief"), target.get("slide")
        if brief not in page.briefings or number is None or not 1 <= number <= len(page.briefings[brief].slides):
            raise PreventUpdate
        shown = {"brief": brief, "slide": number, "mode": "present"}
        slide = page.briefings[brief].slides[number - 1]
        view = page.view(slide.view).but(lang=lang if lang in LANGS else None, **shown)
        # The view before the briefing, to return to when it ends.
        before = before if _presenter(presenter).get("brief") else query or ""
        return (*_show(view, page.slide_focus(view)), shown, before)


def _caption(app: Dash, page) -> None:
    # The caption and the map change as one. A step hides the caption's words (stepSlide);
    # they show again once every update the step set off has reached the map: Dash holds a
    # callback while any pending callback may still change one of its inputs, so this one
    # runs after the slide's words, colours, places, links and camera are all applied.
    app.clientside_callback(
        ClientsideFunction("atlas", "landCaption"),
        Output(ids.SLIDE_CAPTION, "className", allow_duplicate=True),
        Input(ids.SLIDE_TEXT, "children"),
        Input(ids.MAP_SYNC, "title"),
        Input(ids.FEATURE_SYNC, "title"),
        Input(ids.FLOWS_SYNC, "title"),
        Input(ids.FOCUS_SYNC, "title"),
        State(ids.SLIDE_CAPTION, "className"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.SLIDE_TEXT, "children"),
        Output(ids.SLIDE_COUNT, "children"),
        Output(ids.ROOT, "className"),
        Input(ids.PRESENTER, "data"),
        Input(ids.LANG, "value"),
        prevent_initial_call=True,  # the page is built showing its slide (layout)
    )
    def show_slide(presenter, lang):
        return shown(page.briefings, presenter, lang if lang in LANGS else "zh")


def shown(briefings: dict, presenter, lang: str) -> tuple:
    """The caption's words and slide number for the presenter's keys, and the page's class
    (presenting or not): as the page is built, and as the presenter steps."""
    now = _presenter(presenter)
    mode = page_class(now)
    briefing = briefings.get(now.get("brief"))
    number = now.get("slide") or 1
    if briefing is None or not 1 <= number <= len(briefing.slides):
        return [], "", mode
    slide = briefing.slides[number - 1]
    return (
        [
            html.Div(briefing.title[lang], className="slide-briefing"),
            html.H2(slide.title[lang]),
            html.P(slide.note[lang]),
        ],
        t("briefing.slide", lang).format(n=number, total=len(briefing.slides)),
        mode,
    )


def _presenting(app: Dash, page) -> None:
    @app.callback(
        *_view_outputs(),
        Output(ids.PRESENTER, "data", allow_duplicate=True),
        Output(ids.BEFORE_BRIEFING, "data", allow_duplicate=True),
        Input(ids.PRESENT, "n_clicks"),
        Input(ids.PRESENT_EXIT, "n_clicks"),
        State(ids.PRESENTER, "data"),
        State(ids.BEFORE_BRIEFING, "data"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def toggle_present(enter, leave, presenter, before, lang):
        if not (enter if ctx.triggered_id == ids.PRESENT else leave):
            raise PreventUpdate  # a rebuilt page, nothing clicked
        now = _presenter(presenter)
        keep = [no_update] * len(_view_outputs())
        if ctx.triggered_id == ids.PRESENT:
            return (*keep, {**now, "mode": "present"}, no_update)
        if now.get("brief") and isinstance(before, str):
            # Leaving a briefing returns to the view from before it, in the language now shown.
            view = page.view(before).but(lang=lang if lang in LANGS else None)
            return (*_show(view, view.focus or plans.frame(view.plan)), {}, None)
        return (*keep, {}, None)

    # A projector wants the whole screen; the browser allows it on a click.
    app.clientside_callback(
        ClientsideFunction("atlas", "fullscreen"),
        Output(ids.PRESENT, "title"),
        Input(ids.PRESENT, "n_clicks"),
        prevent_initial_call=True,
    )


def page_class(presenter) -> str:
    """The page's class: presenting or not."""
    return "app present" if _presenter(presenter).get("mode") == "present" else "app"


def _presenter(data) -> dict:
    """The presenter's keys as the page holds them, each only if well formed
    (a forged request may send anything)."""
    data = data if isinstance(data, dict) else {}
    ok = {"brief": str, "slide": int, "mode": str}
    return {k: data[k] for k, kind in ok.items() if isinstance(data.get(k), kind) and not isinstance(data[k], bool)}
