"""Benchmark: first map, indicator switches, places, language, exports, payload, server memory
(python -m bench.run).

Runs the real server (python -m dashboard) in a subprocess and drives Debian's
Chromium. Reports medians; nothing here is asserted.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser import browser_page, switch_language, wait_for_map

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
# Five indicator switches from the first view (GDP, 2020 baseline).
SWITCHES = ["resident_population", "urbanization_rate", "urban_district_population", "gdp", "resident_population"]
OUT = Path(__file__).parent / "out"
EXPORT_VIEW = "indicator=gdp&view=actual&layers=ports,projects"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The child processes of pid (gunicorn's workers, for example), sorted."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False).stdout
    return sorted(int(p) for p in out.split())


def descendants(pid: int) -> list[int]:
    """Every process under pid, its children's children included."""
    import psutil

    return [p.pid for p in psutil.Process(pid).children(recursive=True)]


def rss_mb(pids) -> dict[int, int]:
    """Resident memory of each process, in MB (processes gone meanwhile are left out)."""
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as fh:
                out[pid] = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) // 1024
        except OSError:
            pass
    return out


# In-page clocks: when an option is clicked (clickAt), when the new colours are applied (syncAt,
# the atlas only), when the map last repainted (renderAt).
CLOCKS_JS = """() => {
    document.addEventListener('click', () => { window.clickAt = performance.now(); }, true);
    const sync = document.querySelector('#map-sync');
    if (sync) {
        new MutationObserver(() => { window.syncAt = performance.now(); }).observe(sync, {attributes: true});
    }
    const gd = document.querySelector('#map .js-plotly-plot');
    gd._fullLayout.map._subplot.map.on('render', () => { window.renderAt = performance.now(); });
}"""
# A switch has settled at the map's last repaint: MapLibre is idle at its first frame with the
# new colours, but a paint transition or a later update repaints it again.
QUIET_MS = 700


def settled_ms(page) -> float:
    """From the last click to the map's last repaint, once none has followed for QUIET_MS."""
    page.wait_for_function(f"() => performance.now() - (window.renderAt || 0) > {QUIET_MS}", polling=50)
    return page.evaluate("() => window.renderAt - window.clickAt")


def _start_server(cwd: Path | None = None):
    """The dashboard from this tree, or from `cwd` (another checkout, for before and after)."""
    port = _free_port()
    env = dict(os.environ, PORT=str(port), **({"PYTHONPATH": str(cwd)} if cwd else {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard"], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):  # (a cold start on a loaded machine takes tens of seconds)
        try:
            urllib.request.urlopen(url + "/geo/counties.geojson", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{cwd or 'the dashboard'}: server did not start")


def _payload(url: str) -> dict:
    sizes = {}
    for layer in ("cities", "counties", "context", "zones"):
        body = urllib.request.urlopen(f"{url}/geo/{layer}.geojson").read()
        sizes[layer] = (len(body), len(gzip.compress(body)))
    sizes["total"] = tuple(sum(v[i] for v in sizes.values()) for i in (0, 1))
    # The layout carries the first page's feature traces and table rows.
    layout = urllib.request.urlopen(f"{url}/_dash-layout").read()
    sizes["layout"] = (len(layout), len(gzip.compress(layout)))
    return sizes


def body_size(response) -> int:
    """Bytes of a response body (decompressed); Chromium sometimes no longer has
    a body it delivered, and then the header's length is the best left."""
    try:
        return len(response.body())
    except Exception:  # Playwright raises a bare protocol Error
        return int(response.headers.get("content-length", 0))


def _feature_step(page, responses, action) -> tuple[float, int]:
    """Run an action on the plan layers; time from it to the map's update, and bytes."""
    before = page.get_attribute("#feature-sync", "title") or ""
    responses.clear()
    start = page.evaluate("() => performance.now()")
    action()
    page.wait_for_function("b => document.querySelector('#feature-sync').title !== b", arg=before, polling=5)
    elapsed = page.evaluate("() => performance.now()") - start
    page.wait_for_timeout(200)
    return elapsed, sum(body_size(r) for r in responses)


def main() -> None:
    proc, url = _start_server()
    try:
        payload = _payload(url)
        first_map, switch_ms, switch_bytes, switch_wire = [], [], [], []
        restyled_ms = []  # click -> new colours handed to the map (request, response, restyle)
        settled = []  # click -> the map's last repaint
        search_ms, search_bytes, toggle_ms, toggle_bytes, lang_ms = [], [], [], [], []
        export_ms = {kind: [] for kind in ("png", "html", "gpkg", "geojson", "csv")}
        export_bytes = {}
        from layers.store import default_store

        defs = default_store().indicator_defs.set_index("indicator")
        for _ in range(RUNS):
            with browser_page(url) as page:
                responses = []
                page.on(
                    "response", lambda r, responses=responses: "_dash-update-component" in r.url and responses.append(r)
                )
                page.goto(url)
                wait_for_map(page)
                first_map.append(page.evaluate("() => performance.now()"))
                page.evaluate(CLOCKS_JS)
                for indicator in SWITCHES:
                    page.click("#indicator")  # opening the menu is not timed
                    option = page.get_by_role(
                        "option", name=f"{defs.loc[indicator, 'name_zh']}({defs.loc[indicator, 'unit']})"
                    )
                    before = page.get_attribute("#map-sync", "title") or ""
                    responses.clear()
                    option.click()
                    page.wait_for_function(
                        "b => document.querySelector('#map-sync').title !== b", arg=before, polling=5
                    )
                    restyled_ms.append(page.evaluate("() => window.syncAt - window.clickAt"))
                    wait_for_map(page)
                    switch_ms.append(page.evaluate("() => performance.now() - window.clickAt"))
                    settled.append(settled_ms(page))
                    page.keyboard.press("Escape")
                    switch_bytes.append(sum(body_size(r) for r in responses))
                    switch_wire.append(sum(int(r.headers.get("content-length", body_size(r))) for r in responses))
                # The plan layers: a search, and turning the corridors on and off again.
                for text in ("港", ""):
                    page.fill("#search", text)
                    ms, size = _feature_step(page, responses, lambda: page.press("#search", "Enter"))
                    search_ms.append(ms)
                    search_bytes.append(size)
                for _ in range(2):
                    ms, size = _feature_step(
                        page, responses, lambda: page.locator("#layers input[value='corridors']").click()
                    )
                    toggle_ms.append(ms)
                    toggle_bytes.append(size)
                # The language, switched in place: click -> the map relabelled and idle.
                start = page.evaluate("() => performance.now()")
                switch_language(page, "English")
                lang_ms.append(page.evaluate("() => performance.now()") - start)
        # Exports of one view, as the download links ask for them (the server renders).
        for _ in range(RUNS):
            for kind in export_ms:
                t0 = time.perf_counter()
                with urllib.request.urlopen(f"{url}/export/view.{kind}?{EXPORT_VIEW}", timeout=300) as resp:
                    body = resp.read()
                export_ms[kind].append((time.perf_counter() - t0) * 1000)
                export_bytes[kind] = len(body)
        result = {
            "runs": RUNS,
            "first_map_ms_median": round(statistics.median(first_map)),
            "first_map_ms_all": [round(v) for v in first_map],
            "switch_to_restyle_ms_median": round(statistics.median(restyled_ms)),
            "switch_to_map_idle_ms_median": round(statistics.median(switch_ms)),
            "switch_settled_ms_median": round(statistics.median(settled)),
            "switch_response_bytes_median": statistics.median(switch_bytes),
            "switch_response_bytes_on_wire_median": statistics.median(switch_wire),
            "search_to_map_ms_median": round(statistics.median(search_ms)),
            "search_response_bytes_median": statistics.median(search_bytes),
            "layer_toggle_to_map_ms_median": round(statistics.median(toggle_ms)),
            "layer_toggle_response_bytes_median": statistics.median(toggle_bytes),
            "language_switch_to_map_ms_median": round(statistics.median(lang_ms)),
            "export_view": EXPORT_VIEW,
            "export_ms_median": {k: round(statistics.median(v)) for k, v in export_ms.items()},
            "export_bytes": export_bytes,
            "payload_bytes_raw_gzip": payload,
            # After every view, export and language above: the server at its working size, and
            # apart from it the Chromium kaleido started for the PNGs (every process of it).
            "server_rss_mb": sum(rss_mb([proc.pid]).values()),
            "png_chromium_rss_mb": sum(rss_mb(descendants(proc.pid)).values()),
        }
        OUT.mkdir(exist_ok=True)
        (OUT / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
