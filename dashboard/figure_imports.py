"""Figures editors import, and a viewer's preview: the upload box, the checker's
answer, the list of imports, the figures the atlas lacks, and the downloads of every
figure, of the template and of the gaps as a template."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import Response

from dashboard import editors, ids, panels, tables
from dashboard.i18n import LANGS, t
from dashboard.page import Page, all_figures, rules_of
from layers import gaps, imports, spreadsheet, user_store
from layers.store import Store

# Everything that shows figures, refreshed after an import or a removal (the bar chart and
# the circle's summary follow the switch table: map_callbacks, switchBar).
FIGURE_OUTPUTS = (
    (ids.MAP_STATE, "data"),
    (ids.LEGEND, "children"),
    (ids.MAP_TITLE, "children"),
    (ids.SOURCE_LINE, "children"),
    (ids.SOURCES, "rowData"),
    (ids.CIRCLE_CARDS, "children"),
    (ids.SWITCHES, "data"),
    (ids.GAPS, "children"),
)


def register(app: Dash, page: Page) -> None:
    _uploads(app, page)
    _downloads(app, page.store)


def _refreshed(page: Page, indicator, view, scheme, lang) -> tuple:
    """What FIGURE_OUTPUTS show, for the view the controls show."""
    store = page.store
    rows = tables.source_rows(store, lang)
    cards = panels.circle_cards(all_figures(store), store.indicator_defs, lang)
    table = page.switches(lang)
    shown = table["map"].get(f"{indicator}|{view}|{scheme}")
    missing = gaps_view(store, lang)
    if shown is None:
        return *[no_update] * 4, rows, cards, table, missing
    return *shown, rows, cards, table, missing


def _uploads(app: Dash, page: Page) -> None:
    store = page.store
    outputs = [Output(cid, prop, allow_duplicate=True) for cid, prop in FIGURE_OUTPUTS]
    view_states = [State(cid, "value") for cid in (ids.INDICATOR, ids.VIEW, ids.SCHEME, ids.LANG)]

    @app.callback(
        Output(ids.UPLOAD_STATUS, "children"),
        Output(ids.IMPORT_LIST, "children"),
        *outputs,
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        *view_states,
        prevent_initial_call=True,
    )
    def import_figures(contents, filename, indicator, view, scheme, lang):
        """The same checker as `python -m geodata.indicators import`: all rows or none."""
        if contents is None:
            raise PreventUpdate  # a rebuilt page, nothing uploaded
        lang = lang if lang in LANGS else "zh"
        status = _import(store, contents, _file_name(filename), lang, keep=True)
        return status, import_list(lang), *_refreshed(page, indicator, view, scheme, lang)

    @app.callback(
        Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
        Input(ids.PREVIEW, "contents"),
        State(ids.PREVIEW, "filename"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    def preview_figures(contents, filename, lang):
        """A viewer's file: checked, and shown to them alone; stored nowhere."""
        if contents is None:
            raise PreventUpdate
        return _import(store, contents, _file_name(filename), lang if lang in LANGS else "zh", keep=False)

    @app.callback(
        Output(ids.UPLOAD_STATUS, "children", allow_duplicate=True),
        Output(ids.IMPORT_LIST, "children", allow_duplicate=True),
        *outputs,
        Input({"type": ids.REMOVE_IMPORT, "index": ALL}, "n_clicks"),
        *view_states,
        prevent_initial_call=True,
    )
    def remove_import(clicks, indicator, view, scheme, lang):
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate  # a rebuilt list, nothing clicked
        lang = lang if lang in LANGS else "zh"
        try:
            n = user_store.current().remove(int(ctx.triggered_id["index"]))
            status = html.P(t("import.removed", lang).format(n=n), className="good")
        except (user_store.Unavailable, user_store.sa.exc.DBAPIError) as exc:
            status = html.P(f"{t('import.store_error', lang)} {exc}", className="bad")
        return status, import_list(lang), *_refreshed(page, indicator, view, scheme, lang)


def _downloads(app: Dash, store: Store) -> None:
    @app.server.route("/figures/all.csv")
    def figures_csv():
        """Every figure the atlas shows, embedded and imported, with its source."""
        names = store.indicator_defs.set_index("indicator")
        table = all_figures(store).assign(indicator_name=lambda d: d["indicator"].map(names["name_zh"]))
        return Response(
            spreadsheet.excel_csv(table),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=jiaodong-figures.csv"},
        )

    @app.server.route("/figures/template.csv")
    def figures_template():
        return Response(
            "\ufeff" + imports.template(store),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=figures-template.csv"},
        )

    @app.server.route(GAPS_CSV)
    def figures_gaps():
        """The template with one row per figure the atlas lacks, values left to fill."""
        return Response(
            "\ufeff" + gaps.template(missing_figures(store)),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={GAPS_FILE}"},
        )


GAPS_CSV = "/figures/gaps.csv"
GAPS_FILE = "figures-gaps.csv"


def missing_figures(store: Store):
    """The five cities' figures that neither the store nor an import gives (layers.gaps)."""
    return gaps.missing(all_figures(store), store.indicator_defs, store.cities["adcode"])


def gaps_view(store: Store, lang: str) -> list:
    """How many figures each city lacks of each kind, the template of them all, and the list."""
    missing = missing_figures(store)
    if missing.empty:
        return [html.H2(t("gaps.title", lang)), html.P(t("gaps.none", lang), className="hint")]
    cities = dict(zip(store.cities["adcode"], store.cities["name_zh" if lang == "zh" else "name_en"]))
    table = gaps.counts(missing, cities)
    head = html.Tr([html.Th(t("gaps.city", lang)), *[html.Th(t(f"view.{k}", lang)) for k in table.columns]])
    body = [html.Tr([html.Td(cities[c]), *[html.Td(int(n)) for n in row]]) for c, row in table.iterrows()]
    foot = html.Tr([html.Th(t("gaps.total", lang)), *[html.Th(int(n)) for n in table.sum()]])
    return [
        html.H2(t("gaps.title", lang)),
        html.P(t("gaps.note", lang).format(n=len(missing)), className="hint"),
        html.Table([html.Thead(head), html.Tbody(body), html.Tfoot(foot)], className="figures gap-counts"),
        html.A(
            t("gaps.download", lang).format(n=len(missing)),
            href=GAPS_CSV,
            download=GAPS_FILE,
            className="template-link gaps-link",
        ),
        html.Details([html.Summary(t("gaps.list", lang)), html.Ul(_gap_lines(store, missing, cities, lang))]),
    ]


def _gap_lines(store: Store, missing, cities: dict, lang: str) -> list:
    """One line per city and kind: the indicators it lacks, in the definitions' order."""
    names = dict(zip(store.indicator_defs["indicator"], store.indicator_defs[f"name_{lang}"]))
    joined = "、" if lang == "zh" else ", "
    return [
        html.Li(
            [
                html.B(f"{cities[code]} · {t(f'view.{kind}', lang)} ({len(rows)}): "),
                joined.join(rows["indicator"].map(names)),
            ],
            className="gap-line",
        )
        for (code, kind), rows in missing.groupby(["area_code", "kind"], sort=False)
    ]


def writing_callbacks(app: Dash) -> set:
    """The callbacks that write to the user store: only editors reach them."""
    return {k for k in app.callback_map if f"{ids.IMPORT_LIST}.children" in k}


def controls(lang: str) -> list:
    """Editors import and remove; a viewer may preview a file for themselves only."""
    editor, open_ = editors.is_editor(), editors.mode() == editors.OPEN
    if editor:
        who = (
            [t("import.open", lang)]
            if open_
            else [
                t("import.signed_in", lang).format(name=editors.session.get("editor", "")),
                " ",
                html.Form(
                    html.Button(t("editor.sign_out", lang), type="submit"),
                    method="post",
                    action="/editor/sign-out",
                    className="inline-form",
                ),
            ]
        )
    else:
        who = [t("import.viewer", lang), " ", html.A(t("editor.sign_in", lang), href=f"/editor?lang={lang}")]
    hidden = {"display": "none"}
    return [
        html.H2(t("import.title", lang)),
        html.P(who, className="hint editor-line"),
        *[
            dcc.Upload(
                html.Div(t(text, lang)),
                id=cid,
                className="upload",
                accept=".csv,.txt,text/csv,text/plain",
                max_size=imports.MAX_UPLOAD,
                style=None if shown else hidden,
            )
            for cid, text, shown in (
                (ids.UPLOAD, "import.drop", editor),
                (ids.PREVIEW, "import.preview_drop", not editor),
            )
        ],
        html.A(
            t("import.template", lang),
            href="/figures/template.csv",
            download="figures-template.csv",
            className="template-link",
        ),
        html.Div(id=ids.UPLOAD_CHECK, className="upload-status bad", role="alert"),  # filled by uploads.js
        html.Div(
            id=ids.UPLOAD_STATUS,
            className="upload-status",
            role="status",
            **{
                "data-too-big": t("import.too_big", lang).format(mb=imports.MAX_UPLOAD // 1000 / 1000),
                "data-not-csv": t("import.not_csv", lang),
                "data-max": str(imports.MAX_UPLOAD),
            },
        ),
        html.Div(import_list(lang) if editor else [], id=ids.IMPORT_LIST, className="import-list"),
    ]


def import_list(lang: str) -> list:
    """An editor's view of the imports: file, who, when, how many; each removable."""
    store = user_store.current()
    notices = [html.P(n, className="bad") for n in user_store.problems()]
    try:
        done = store.imports()
    except (user_store.Unavailable, user_store.sa.exc.DBAPIError):
        return notices
    items = [
        html.Li(
            [
                f"#{r.id} {r.source_name} · {t('import.figures', lang).format(n=r.figures)} · "
                f"{r.imported_by} · {str(r.imported_at)[:16].replace('T', ' ')} UTC ",
                html.Button(
                    t("import.remove", lang),
                    id={"type": ids.REMOVE_IMPORT, "index": int(r.id)},
                    className="remove-import",
                ),
            ]
        )
        for r in done.itertuples()
    ]
    return [*notices, html.Ul(items)] if items else notices


def _file_name(filename) -> str:
    return Path(str(filename or "upload.csv")).name[:80]


def _import(store: Store, contents, name: str, lang: str, keep: bool):
    """Check an uploaded CSV; if every row is good, keep it in the user store (an editor's
    import) or only show it (a viewer's preview)."""
    try:
        data = base64.b64decode(str(contents).split(",", 1)[1], validate=True)
    except (IndexError, ValueError, binascii.Error):
        return html.P(f"{name}: {t('import.unreadable', lang)}", className="bad")
    if len(data) > imports.MAX_UPLOAD:
        return html.P(t("import.too_big", lang).format(mb=imports.MAX_UPLOAD // 1000 / 1000), className="bad")
    result = imports.check(data, name, rules_of(store), all_figures(store)[imports.COLUMNS])
    read_as = html.P(t("import.read_as", lang).format(how=result.read_as), className="hint") if result.read_as else ""
    if result.whole_file:
        return [
            html.P(t("import.file_bad", lang).format(name=name), className="bad"),
            html.Ul([html.Li(result.problems[0].text(lang))]),
            read_as,
        ]
    if not result.ok:
        texts = [p.text(lang) for p in result.problems]
        shown = texts[:20] + ([f"… ({len(texts) - 20})"] if len(texts) > 20 else [])
        return [
            html.P(t("import.bad", lang).format(name=name, n=len(texts)), className="bad"),
            html.Ul([html.Li(e) for e in shown]),
            read_as,
        ]
    if result.rows.empty:
        return html.P(t("import.none", lang), className="bad")
    if not keep:
        return [
            html.P(t("import.preview", lang).format(n=len(result.rows), name=name), className="good"),
            html.Ul(
                [
                    html.Li(
                        f"{r.indicator} · {r.area_code} · {r.year} · {t(f'kind.{r.kind}', lang)} · "
                        f"{r.comparator}{r.value:g} {r.unit}"
                    )
                    for r in result.rows.itertuples()
                ]
            ),
            read_as,
        ]
    return _keep(result.rows, name, lang, read_as)


def _keep(rows, name: str, lang: str, read_as) -> list:
    try:
        n = user_store.current().add(rows, name, editors.who())
    except user_store.Duplicate:
        return html.P(t("import.duplicate", lang).format(name=name), className="bad")
    except (user_store.Unavailable, user_store.sa.exc.DBAPIError) as exc:
        return html.P(f"{t('import.store_error', lang)} {exc}", className="bad")
    return [html.P(t("import.done", lang).format(n=n, name=name), className="good"), read_as]
