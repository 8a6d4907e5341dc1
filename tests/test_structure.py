"""The code's shape, held: app.py a table of contents, short functions, no import
cycle, one reader of a query string, the page's scripts naming only ids the app has,
and a plan added as one entry."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from dashboard import ids

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("dashboard", "layers", "geodata")


def _modules() -> dict[str, ast.Module]:
    return {
        f"{p.parent.name}.{p.stem}": ast.parse(p.read_text("utf-8"))
        for pkg in PACKAGES
        for p in sorted((REPO / pkg).glob("*.py"))
        if p.stem != "__init__"
    }


def test_app_py_is_a_table_of_contents():
    assert len((REPO / "dashboard" / "app.py").read_text("utf-8").splitlines()) <= 150


def test_no_function_in_the_dashboard_is_over_60_lines():
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1}"
        for name, tree in _modules().items()
        if name.startswith("dashboard.")
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []


def test_no_import_cycle():
    modules = _modules()
    graph = {name: set() for name in modules}
    for name, tree in modules.items():
        for node in tree.body:  # module-level imports: what loading the module loads
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {m for m in targets if m in modules and m != name}
    cycles = []

    def visit(name, path):
        for nxt in graph[name]:
            if nxt in path:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(name)

    done: set = set()
    for name in graph:
        if name not in done:
            visit(name, [name])
    assert cycles == []


def test_a_query_string_is_read_in_one_place():
    calls = [
        name
        for name, tree in _modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "parse"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "View"
    ]
    assert calls == ["dashboard.page"]


def test_the_page_scripts_name_only_ids_the_app_has():
    known = {v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}
    atlas = (REPO / "assets" / "atlas.js").read_text("utf-8")
    table = re.search(r"window\.atlasIds = \{(.*?)\};", atlas, re.S).group(1)
    named = dict(re.findall(r"(\w+): '([^']*)'", table))
    assert len(named) >= 8 and set(named.values()) <= known, set(named.values()) - known
    for path in sorted((REPO / "assets").glob("*.js")):  # every other mention goes through that table
        text = path.read_text("utf-8").replace(table, "")
        literal = re.findall(r"getElementById\('|getApi\('|querySelector\('#[a-z]|closest\('#[a-z]", text)
        assert literal == [], (path.name, literal)


def test_a_third_plan_is_one_entry(tmp_path):
    """A plan registered beside the two: its places are chosen by its key in a link,
    the plan control offers it, and the map opens on its frame."""
    script = """
import dataclasses

import pandas as pd

from dashboard import i18n, layout
from dashboard.page import Page
from dashboard.view import View
from layers import plans
from layers.store import default_store

plans.register(plans.Plan("test-plan-2030", "trial", "jiaodong-plan-2021.txt", r"第.{1,3}章.*",
                          {"center": {"lon": 122.1, "lat": 37.5}, "zoom": 8.0}))
for lang in i18n.LANGS:
    i18n.TEXT[lang]["plan.trial"] = "Trial plan"
store = default_store()
feats = store.features.copy()
row = feats[feats["id"] == "port-weihai"].copy()
row["id"], row["plan"] = "trial-port", "test-plan-2030"
store = dataclasses.replace(store, features=pd.concat([feats, row], ignore_index=True))
page = Page.make(store)
view, dropped = page.parse("?plan=trial&layers=ports")
assert dropped == [] and view.plan == "trial", dropped
shown = page.rows(page.criteria(view), "zh")
assert [r["id"] for r in shown] == ["trial-port"], shown
assert page.links(view) is None  # not the plan of links
assert page.opening_focus(view) == {"center": {"lon": 122.1, "lat": 37.5}, "zoom": 8.0}
body = str(layout.body(page, view))
assert "'value': 'trial'" in body and "Trial plan" in body
both = page.rows(page.criteria(View(plan="both", layers=("ports",))), "zh")
assert "trial-port" in {r["id"] for r in both}
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]


def test_the_code_passes_the_linter_and_is_formatted():
    """pyproject.toml's ruff rules; `ruff format .` and `ruff check --fix .` fix most of what this finds."""
    ruff = Path(sys.executable).parent / "ruff"
    for args in (["check", "."], ["format", "--check", "."]):
        run = subprocess.run([str(ruff), *args], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-1000:]
