"""The tables under the map: the places, every figure with its source, the
docking plan's tasks. Rows and columns for AG Grid."""

from __future__ import annotations

import dash_ag_grid as dag

from dashboard import numbers
from dashboard.i18n import t
from dashboard.page import all_figures
from layers.store import Store

# AG Grid's bundle (dash-ag-grid 35.3.0: 1.3 MB, about 0.3 s of a core to parse) is not one of
# the page's scripts: the tables open in a drawer that starts closed. Dash 4.4.1 serves a
# "dynamic" resource without putting it in the page; assets/grid.js runs it, from the head's
# link (dashboard/preload.py), once the first map is whole or when a table is first drawn.
GRID_SCRIPT = "dash_ag_grid.min.js"
for _resource in dag._js_dist:
    if _resource.get("relative_package_path") == GRID_SCRIPT:
        _resource["dynamic"] = True


def grid(grid_id: str, rows: list[dict], columns: list[dict], getRowId=None, **options):
    """A sortable, filterable table under the map; `options` are AG Grid options."""
    extra = {"getRowId": getRowId} if getRowId else {}
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=columns,
        className="feature-grid",
        defaultColDef={"sortable": True, "filter": True, "resizable": True},
        dashGridOptions={"animateRows": False, "rowHeight": 30, **options},
        style={"height": "230px"},
        **extra,
    )


def _columns(spec, lang: str) -> list[dict]:
    """Column definitions from (field, header text key, flex, extra options)."""
    return [{"field": field, "headerName": t(key, lang), "flex": flex, **extra} for field, key, flex, extra in spec]


def place_columns(lang: str) -> list[dict]:
    return _columns(
        [
            ("name", "table.name", 3, {"minWidth": 220, "tooltipField": "name_en"}),
            ("layer", "table.layer", 1.2, {}),
            ("category", "table.category", 1.6, {}),
            ("cities", "table.cities", 1.2, {}),
            ("precision", "table.precision", 1.6, {}),
            ("grade", "feature.grade", 1.4, {}),  # who gives the position: the column's filter chooses by it
            ("status", "table.status", 1, {}),
            ("plan_ref", "table.plan_ref", 2.2, {}),
        ],
        lang,
    )


def task_rows(store: Store, names, lang: str) -> list[dict]:
    return [
        {
            "number": int(r.number),
            "group": f"({r.group}) {r.group_title_zh}",
            "title": r.title_zh if lang == "zh" else r.title_en,
            # 牵头 (lead) and 按职责分工负责 (each responsible for its part) are different roles
            "lead": "、".join(filter(None, r.lead_departments.split(";"))) if r.lead_role == "lead" else "",
            "responsible": (
                "、".join(filter(None, r.lead_departments.split(";"))) if r.lead_role == "responsible" else ""
            ),
            "support": "、".join(filter(None, r.supporting_departments.split(";"))),
            "cities": "、".join(names.cities.get(c, c) for c in r.cities.split(";") if c) or "—",
            "partners": "、".join(names.regions.get(c, c) for c in r.partner_regions.split(";") if c),
            "quote": r.quote,
        }
        for r in store.tasks.itertuples(index=False)
    ]


def task_columns(lang: str) -> list[dict]:
    return _columns(
        [
            ("number", "task.number", 0.5, {}),
            ("group", "filter.group", 1.6, {}),
            ("title", "table.name", 2.4, {"tooltipField": "quote"}),
            ("lead", "task.lead", 1.6, {}),
            ("responsible", "task.responsible", 2, {}),
            ("support", "task.support", 1.2, {}),
            ("cities", "table.cities", 1.6, {}),
            ("partners", "task.partners", 1.6, {}),
        ],
        lang,
    )


def source_rows(store: Store, lang: str) -> list[dict]:
    """Every figure with its source, for the sources table."""
    defs = store.indicator_defs.set_index("indicator")
    areas = dict(zip(store.cities["adcode"], store.cities["name_zh" if lang == "zh" else "name_en"]))
    areas["jiaodong"] = t("circle", lang)
    rows = []
    for r in all_figures(store).itertuples(index=False):
        d = defs.loc[r.indicator]
        rows.append(
            {
                "indicator": d["name_zh"] if lang == "zh" else d["name_en"],
                "area": areas.get(r.area_code, r.area_code),
                "year": int(r.year),
                "kind": t(f"kind.{r.kind}", lang),
                "value": f"{numbers.fmt_with_cmp(r.value, r.comparator, int(d['decimals']), lang)} {r.unit}",
                "quality": t(f"quality.{r.quality}", lang),
                "source": r.source,
                "quote": r.source_quote,
                "imported": t("imported", lang) if r.imported else "",
            }
        )
    return rows


def source_columns(lang: str) -> list[dict]:
    return _columns(
        [
            ("indicator", "table.indicator", 2, {}),
            ("area", "table.area", 1.2, {}),
            ("year", "table.year", 0.8, {}),
            ("kind", "table.kind", 0.8, {}),
            ("value", "table.value", 1.4, {}),
            ("quality", "quality", 1.2, {}),
            ("source", "source", 2.4, {"tooltipField": "quote"}),
            ("imported", "imported", 1, {}),
        ],
        lang,
    )
