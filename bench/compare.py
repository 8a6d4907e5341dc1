"""The same interaction in four apps, side by side (make bench-peers):

- this atlas (python -m dashboard);
- a naive Dash app that rebuilds the whole figure, full-resolution
  boundaries inside, in every callback (bench/peers/naive_dash.py);
- the same naive Dash app drawing what the atlas draws (the neighbouring
  regions, the counties and every place), its figure rebuilt in every
  callback (bench/peers/naive_dash_full.py): the fair peer;
- Streamlit + streamlit-folium (bench/peers/streamlit_folium_app.py).

Each is opened in Chromium and switched between indicators five times, RUNS
times, the apps taking turns run by run so that all see the same load on a
shared machine. The order of the turns rotates each run, so that each app takes
each place once in as many runs as there are apps: in a fixed order, the place
itself moved an app's first map by 60-100 ms. BENCH_BASE=/path/to/another/checkout
adds that checkout's atlas ("atlas_base") to the same run: before and after, beside
the peers. Reported: time to first map, time per switch (until the map is first
idle, and until its last repaint), bytes per switch (HTTP bodies, and for Streamlit
the websocket frames), the server's memory; medians (and the first map's range),
and the atlas's times as a share of each other app's. Nothing is asserted.
Streamlit is run from its own virtual environment (bench/out/peers/venv) so that
it does not change the app's pinned environment; Leaflet comes from the npm registry.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.peers import data
from bench.run import CLOCKS_JS, _free_port, body_size, children, rss_mb, settled_ms
from tests.browser import MAP_READY_JS, browser_page

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
REPO = Path(__file__).resolve().parent.parent
PEERS = data.OUT
VENV = PEERS / "venv"
STREAMLIT = ("streamlit==1.67.0", "streamlit-folium==0.27.4", "folium==0.20.0")
SWITCHES = ["resident_population", "urbanization_rate", "urban_district_population", "gdp", "resident_population"]


def _streamlit_env() -> Path:
    if not (VENV / "bin" / "streamlit").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([VENV / "bin" / "pip", "install", "--quiet", *STREAMLIT], check=True)
    static = REPO / "bench" / "peers" / "static"
    if not (static / "leaflet.js").exists():  # Leaflet for folium, from the npm registry
        static.mkdir(exist_ok=True)
        subprocess.run(["npm", "pack", "leaflet@1.9.4", "--silent"], cwd=PEERS, check=True)
        subprocess.run(["tar", "xzf", "leaflet-1.9.4.tgz"], cwd=PEERS, check=True)
        for name in ("leaflet.js", "leaflet.css"):
            (static / name).write_bytes((PEERS / "package" / "dist" / name).read_bytes())
    return VENV


def _serve(cmd, port, env=None, probe="/", cwd=REPO):
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=dict(os.environ, PORT=str(port), **(env or {})),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{cmd} did not start")


def _dash_run(url: str, names: dict, atlas: bool, out: dict) -> None:
    first, switch_ms, switch_bytes = out["first_map_ms"], out["switch_ms"], out["switch_bytes"]
    with browser_page(url) as page:
        bodies = []
        page.on("response", lambda r, bodies=bodies: "_dash-update-component" in r.url and bodies.append(r))
        page.goto(url)
        page.wait_for_function(MAP_READY_JS, timeout=60000, polling=50)
        first.append(page.evaluate("() => performance.now()"))
        page.evaluate(CLOCKS_JS)
        for indicator in SWITCHES:
            page.click("#indicator")
            # The atlas counts its map updates; the naive app's z values change.
            probe = (
                "() => document.querySelector('#map-sync').title"
                if atlas
                else "() => JSON.stringify(document.querySelector('#map .js-plotly-plot').data[0].z)"
            )
            before = page.evaluate(probe)
            bodies.clear()
            start = page.evaluate("() => performance.now()")
            page.get_by_role("option", name=names[indicator]).click()
            page.wait_for_function(f"b => ({probe})() !== b", arg=before, timeout=60000, polling=10)
            page.wait_for_function(MAP_READY_JS, timeout=60000, polling=10)
            switch_ms.append(page.evaluate("() => performance.now()") - start)
            out["settled_ms"].append(settled_ms(page))  # (and any later response, the atlas's chart)
            switch_bytes.append(sum(body_size(r) for r in bodies))
            page.keyboard.press("Escape")


def _streamlit_run(url: str, names: dict, out: dict) -> None:
    first, switch_ms, switch_bytes = out["first_map_ms"], out["switch_ms"], out["switch_bytes"]
    with browser_page(url) as page:
        frames = []
        page.on(
            "websocket",
            lambda ws, frames=frames: ws.on(
                "framereceived", lambda f: frames.append(len(f) if isinstance(f, (bytes, str)) else 0)
            ),
        )
        page.goto(url)
        frame = page.frame_locator("iframe").first
        frame.locator("path.leaflet-interactive").nth(4).wait_for(timeout=60000)
        first.append(page.evaluate("() => performance.now()"))
        # streamlit-folium restyles the map in place (and may reload its frame):
        # poll the polygons' fill colours inside the component's frame.
        fills = """() => { const f = document.querySelector('iframe'); const d = f && f.contentDocument;
            return d ? Array.from(d.querySelectorAll('path.leaflet-interactive'))
                .map(p => p.getAttribute('fill')).join(',') : ''; }"""
        for indicator in SWITCHES:
            before = page.evaluate(fills)
            frames.clear()
            page.get_by_role("combobox").first.click()
            start = page.evaluate("() => performance.now()")
            page.get_by_role("option", name=names[indicator]).click()
            page.wait_for_function(
                f"b => {{ const now = ({fills})(); return now && now !== b; }}",
                arg=before,
                timeout=60000,
                polling=10,
            )
            switch_ms.append(page.evaluate("() => performance.now()") - start)
            # Leaflet's SVG paths are drawn as their fill changes: no later repaint to wait for.
            out["settled_ms"].append(switch_ms[-1])
            page.wait_for_timeout(300)
            switch_bytes.append(sum(frames))


def main() -> None:
    data.write()
    values = json.loads((PEERS / "values.json").read_text())
    names = {k: v["name"] for k, v in values.items()}
    venv = _streamlit_env()
    streamlit = [
        str(venv / "bin" / "streamlit"),
        "run",
        "bench/peers/streamlit_folium_app.py",
        "--server.headless",
        "true",
        "--server.enableStaticServing",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        "127.0.0.1",
        "--server.port",
    ]
    peers = {  # name: (command (the port is added to streamlit's), its folder, readiness probe, how to drive it)
        "atlas": (
            [sys.executable, "-m", "dashboard"],
            REPO,
            "/geo/cities.geojson",
            lambda url, out: _dash_run(url, names, True, out),
        ),
        "naive_dash": (
            [sys.executable, "-m", "bench.peers.naive_dash"],
            REPO,
            "/",
            lambda url, out: _dash_run(url, names, False, out),
        ),
        "naive_dash_full": (
            [sys.executable, "-m", "bench.peers.naive_dash_full"],
            REPO,
            "/",
            lambda url, out: _dash_run(url, names, False, out),
        ),
        "streamlit_folium": (streamlit, REPO, "/_stcore/health", lambda url, out: _streamlit_run(url, names, out)),
    }
    if os.environ.get("BENCH_BASE"):
        base_tree = Path(os.environ["BENCH_BASE"]).resolve()
        peers["atlas_base"] = ([sys.executable, "-m", "dashboard"], base_tree, *peers["atlas"][2:])
    servers = {}
    try:
        for name, (cmd, tree, probe, _) in peers.items():
            port = _free_port()
            cmd = [*cmd, str(port)] if cmd is streamlit else cmd
            servers[name] = (_serve(cmd, port, env={"PYTHONPATH": str(tree)}, probe=probe, cwd=tree), port)
        results = {name: {"first_map_ms": [], "switch_ms": [], "settled_ms": [], "switch_bytes": []} for name in peers}
        names_in_turn = list(servers)
        for run in range(RUNS):
            shift = run % len(names_in_turn)
            for name in names_in_turn[shift:] + names_in_turn[:shift]:
                peers[name][3](f"http://127.0.0.1:{servers[name][1]}", results[name])
        for name, (proc, _) in servers.items():
            results[name]["rss_mb"] = sum(rss_mb([proc.pid, *children(proc.pid)]).values())
    finally:
        for proc, _ in servers.values():
            proc.terminate()

    summary = {}
    for app, r in results.items():
        summary[app] = {
            "first_map_ms_median": round(statistics.median(r["first_map_ms"])),
            # (the spread of a run: on a shared machine it can be as wide as a gain looked for)
            "first_map_ms_range": [round(min(r["first_map_ms"])), round(max(r["first_map_ms"]))],
            "switch_ms_median": round(statistics.median(r["switch_ms"])),
            "switch_settled_ms_median": round(statistics.median(r["settled_ms"])),
            "switch_bytes_median": statistics.median(r["switch_bytes"]),
            "server_rss_mb": r["rss_mb"],
        }
    base = summary["atlas"]
    for app in [a for a in summary if a != "atlas"]:
        s = summary[app]
        # The atlas's time as a share of this app's (0.5: the atlas takes half its time).
        s["atlas_first_map_share"] = round(base["first_map_ms_median"] / max(s["first_map_ms_median"], 1), 2)
        s["atlas_switch_share"] = round(base["switch_ms_median"] / max(s["switch_ms_median"], 1), 2)
        s["atlas_settled_share"] = round(base["switch_settled_ms_median"] / max(s["switch_settled_ms_median"], 1), 2)
        s["bytes_per_switch_vs_atlas"] = round(s["switch_bytes_median"] / max(base["switch_bytes_median"], 1), 1)
    out = {"runs": RUNS, "summary": summary, "raw": results}
    (REPO / "bench" / "out" / "peers.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
