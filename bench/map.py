"""First map and indicator switches only, measured as bench.run measures them
(python -m bench.map), and a bare repaint of the same map for scale. Quicker than bench.run:
no exports, places or language.

BENCH_BASE=/path/to/another/checkout serves that checkout too and alternates the
runs between the two, so that both see the same load on a shared machine.
BENCH_TREES=a=/path/a,b=/path/b compares those checkouts instead.
BENCH_TIMELINE=1 prints, for the last run, when the page asked for each resource.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse

from bench.run import CLOCKS_JS, SWITCHES, _start_server, settled_ms
from tests.browser import browser_page, wait_for_map

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
REPO = Path(__file__).resolve().parent.parent


# One frame of the whole map, asked for with nothing changed: the median of five.
REPAINT_JS = """async () => {
    const m = document.querySelector('#map .js-plotly-plot')._fullLayout.map._subplot.map;
    const times = [];
    for (let i = 0; i < 5; i++) {
        const start = performance.now();
        m.triggerRepaint();
        await new Promise(resolve => m.once('render', resolve));
        times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[2];
}"""


def _run(url: str, defs, out: dict) -> list:
    with browser_page(url) as page:
        page.goto(url)
        wait_for_map(page, 90000)
        out["first"].append(page.evaluate("() => performance.now()"))
        timeline = page.evaluate("""() => performance.getEntriesByType('resource').map(e =>
            [e.name, Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize])""")
        out["requests"].append(len(page.requests))
        page.evaluate(CLOCKS_JS)
        for indicator in SWITCHES:
            page.click("#indicator")
            option = page.get_by_role("option", name=f"{defs.loc[indicator, 'name_zh']}({defs.loc[indicator, 'unit']})")
            before = page.get_attribute("#map-sync", "title") or ""
            option.click()
            page.wait_for_function("b => document.querySelector('#map-sync').title !== b", arg=before, polling=5)
            out["restyle"].append(page.evaluate("() => window.syncAt - window.clickAt"))
            wait_for_map(page)
            out["switch"].append(page.evaluate("() => performance.now() - window.clickAt"))
            out["settled"].append(settled_ms(page))
            page.keyboard.press("Escape")
        # A bare repaint of the same map, for scale: the least a recolour can take.
        out["repaint"].append(page.evaluate(REPAINT_JS))
        assert not page.foreign and not page.refused and not page.console_errors, (
            page.foreign,
            page.refused,
            page.console_errors,
        )
    return timeline


def main() -> None:
    from layers.store import default_store

    defs = default_store().indicator_defs.set_index("indicator")
    trees = {"this": REPO}
    if os.environ.get("BENCH_BASE"):
        trees["base"] = Path(os.environ["BENCH_BASE"])
    if os.environ.get("BENCH_TREES"):  # name=path,name=path: checkouts to compare
        trees = {n: Path(p) for n, p in (kv.split("=", 1) for kv in os.environ["BENCH_TREES"].split(","))}
    servers = {name: _start_server(tree) for name, tree in trees.items()}
    results = {
        name: {"first": [], "restyle": [], "switch": [], "settled": [], "repaint": [], "requests": []} for name in trees
    }
    timeline = []
    try:
        for _ in range(RUNS):
            for name, (_, url) in servers.items():
                try:
                    timeline = _run(url, defs, results[name])
                except AssertionError as e:  # the baseline may log what this checkout fixed
                    print(name, "page errors:", e, file=sys.stderr)
                except Exception as e:  # a timeout on a loaded machine: reported, not counted
                    print(name, "failed:", str(e).splitlines()[0], file=sys.stderr)
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(10)
    summary = {
        name: {
            "runs": RUNS,
            "first_map_ms_median": round(statistics.median(r["first"])),
            "first_map_ms_all": [round(v) for v in r["first"]],
            "switch_to_restyle_ms_median": round(statistics.median(r["restyle"])),
            "switch_to_map_idle_ms_median": round(statistics.median(r["switch"])),
            "switch_settled_ms_median": round(statistics.median(r["settled"])),
            "bare_repaint_ms_median": round(statistics.median(r["repaint"])),
            "settled_to_repaint": round(statistics.median(r["settled"]) / statistics.median(r["repaint"]), 2),
            "requests_to_first_map_median": statistics.median(r["requests"]),
        }
        for name, r in results.items()
    }
    print(json.dumps(summary, indent=2))
    (REPO / "bench" / "out").mkdir(exist_ok=True)
    (REPO / "bench" / "out" / "map.json").write_text(json.dumps(summary, indent=2))
    if os.environ.get("BENCH_TIMELINE"):
        for name, start, end, size in timeline:
            print(f"{start:6d} {end:6d} {size:9d}  {urlparse(name).path[-70:]}")


if __name__ == "__main__":
    main()
