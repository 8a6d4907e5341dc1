"""Load test: simulated viewers against the production server (make load).

Starts `make serve`'s gunicorn on a free loopback port and runs VIEWERS threads
for LOAD_SECONDS (120). Each viewer opens the page (HTML, layout, dependencies, the
boundary GeoJSON; the JavaScript bundles once, as a browser caches them), then
loops: switch the indicator, toggle a layer, search, open a place, with a
think time of about a second. KILL_AT=<seconds> kills one worker then, to see
what the viewers in flight get. A callback that gets no answer or a 502/503/504
is sent once more after 0.2 s, as the page does (assets/atlas.js); RETRY=0 turns
that off. Reports latency percentiles per kind, the errors (what failed after any
retry) and the retries; nothing is asserted.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.run import _free_port, children, rss_mb

VIEWERS = int(os.environ.get("VIEWERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "120"))
WORKERS = os.environ.get("WORKERS", "3")
KILL_AT = float(os.environ.get("KILL_AT", "0"))
RETRY = os.environ.get("RETRY", "1") != "0"
RETRY_STATUS = (502, 503, 504)
RETRY_AFTER = 0.2  # seconds, as in assets/atlas.js
OUT = Path(__file__).parent / "out"
REPO = Path(__file__).resolve().parent.parent
INDICATORS = ["gdp", "resident_population", "urbanization_rate", "urban_district_population"]
SEARCHES = ["港", "核电", "水库", "Qingdao", "铁路", ""]
# What the page's other controls hold while a viewer changes one (the state a callback reads).
DEFAULTS = {"lang.value": "zh", "scheme.value": "natural_breaks", "plan.value": "jiaodong"}


class Viewer:
    def __init__(self, port: int, calls: dict, seed: int, record, retried):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.calls, self.rng, self.record, self.retried = calls, random.Random(seed), record, retried
        self.etags: dict[str, str] = {}

    def request(self, kind: str, method: str, path: str, body: bytes | None = None, retry: bool = False):
        headers = {"Accept-Encoding": "gzip"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        start = time.perf_counter()
        for last in (False, True) if retry and RETRY else (True,):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                if resp.status in RETRY_STATUS and not last:
                    self.retried(kind, resp.status)
                    time.sleep(RETRY_AFTER)
                    continue
                ok = resp.status in (200, 204, 304)
                if resp.getheader("ETag"):
                    self.etags[path] = resp.getheader("ETag")
                self.record(kind, time.perf_counter() - start, ok, None if ok else resp.status, len(data))
                return
            except (OSError, http.client.HTTPException) as exc:
                self.conn.close()  # reconnect on the next request, as a browser would
                if not last:
                    self.retried(kind, type(exc).__name__)
                    time.sleep(RETRY_AFTER)
                    continue
                self.record(kind, time.perf_counter() - start, False, type(exc).__name__, 0)

    def callback(self, kind: str, name: str, values: dict):
        dep = self.calls[name]
        values = {**DEFAULTS, **values}
        body = {
            "output": dep["output"],
            "outputs": dep["outputs"],
            "inputs": [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in dep["inputs"]],
            "changedPropIds": [dep["changed"]],
            "state": [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in dep["state"]],
        }
        self.request(kind, "POST", "/_dash-update-component", json.dumps(body).encode(), retry=True)

    def open_page(self, bundles: list[str]):
        self.request("page", "GET", "/")
        for path in bundles:
            self.request("bundle", "GET", path)
        self.request("layout", "GET", "/_dash-layout")
        self.request("dependencies", "GET", "/_dash-dependencies")
        for layer in ("cities", "counties", "context", "zones"):
            self.request("geojson", "GET", f"/geo/{layer}.geojson")

    def act(self):
        choice = self.rng.random()
        if choice < 0.35:
            self.callback(
                "switch",
                "map",
                {"indicator.value": self.rng.choice(INDICATORS), "view.value": self.rng.choice(["baseline", "target"])},
            )
        elif choice < 0.6:
            layers = self.rng.sample(["ports", "bays", "projects", "corridors", "zones", "ecology"], 3)
            self.callback("filter", "filter", {"layers.value": layers})
        elif choice < 0.8:
            self.callback(
                "search",
                "filter",
                {"layers.value": ["ports", "bays", "projects"], "search.value": self.rng.choice(SEARCHES)},
            )
        else:
            self.callback(
                "place",
                "place",
                {
                    "selected-feature.data": self.rng.choice(
                        ["port-qingdao", "nuclear-haiyang", "pilot-jimo-longkou", "rail-weiyan"]
                    )
                },
            )


def _callbacks(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/_dash-dependencies")
    deps = json.loads(conn.getresponse().read())

    def find(output_part, input_id):
        for d in deps:
            if output_part in d["output"] and any(i["id"] == input_id for i in d["inputs"]):
                parts = [p.rsplit(".", 1) for p in d["output"].strip(".").split("...")]
                outputs = [{"id": a, "property": b} for a, b in parts]
                return {
                    "output": d["output"],
                    "outputs": outputs if len(outputs) > 1 else outputs[0],
                    "inputs": [{"id": i["id"], "property": i["property"]} for i in d["inputs"]],
                    "state": [{"id": i["id"], "property": i["property"]} for i in d.get("state", [])],
                    "changed": f"{input_id}.{next(i['property'] for i in d['inputs'] if i['id'] == input_id)}",
                }
        raise SystemExit(f"no callback {output_part} <- {input_id}")

    return {
        "map": find("map-state.data", "view"),
        "filter": find("feature-grid.rowData", "search"),
        "place": find("city-panel.children@", "selected-feature"),
    }


def _bundles(port: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/")
    html = conn.getresponse().read().decode()
    import re

    paths = re.findall(r'src="(/_dash-component-suites/[^"]+)"', html)
    return paths + ["/_dash-component-suites/plotly/package_data/plotly.min.js"]


def main() -> None:
    port = _free_port()
    env = dict(os.environ, PORT=str(port), WORKERS=WORKERS)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "dashboard/gunicorn_conf.py", "dashboard.wsgi:server"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/geo/cities.geojson")
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        calls, bundles = _callbacks(port), _bundles(port)
        lock = threading.Lock()
        samples: dict[str, list[float]] = defaultdict(list)
        sizes: dict[str, list[int]] = defaultdict(list)
        errors: list[tuple] = []
        retries: list[tuple] = []
        start = time.perf_counter()

        def retried(kind, why):
            with lock:
                retries.append((round(time.perf_counter() - start, 1), kind, why))

        def record(kind, seconds, ok, error, size):
            with lock:
                samples[kind].append(seconds)
                sizes[kind].append(size)
                if not ok:
                    errors.append((round(time.perf_counter() - start, 1), kind, error))

        def run(i):
            viewer = Viewer(port, calls, i, record, retried)
            time.sleep(viewer.rng.random() * 5)  # viewers arrive over the first seconds
            viewer.open_page(bundles)
            while time.perf_counter() - start < SECONDS:
                time.sleep(viewer.rng.uniform(0.5, 1.5))  # think time
                viewer.act()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(VIEWERS)]
        for t in threads:
            t.start()
        killed = None
        if KILL_AT:
            time.sleep(KILL_AT)
            killed = children(server.pid)[0]
            os.kill(killed, signal.SIGKILL)
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        rss = rss_mb(children(server.pid))

        def pct(values, q):
            return round(1000 * statistics.quantiles(values, n=100)[q - 1], 1) if len(values) > 1 else None

        everything = [v for vs in samples.values() for v in vs]
        interactions = [v for k in ("switch", "filter", "search", "place") for v in samples[k]]
        result = {
            "viewers": VIEWERS,
            "seconds": round(elapsed, 1),
            "workers": int(WORKERS),
            "requests": len(everything),
            "requests_per_second": round(len(everything) / elapsed, 1),
            "errors": len(errors),
            "first_errors": errors[:10],
            "errors_by_kind": dict(Counter(kind for _, kind, _ in errors)),
            "retry": RETRY,
            "retried": len(retries),
            "first_retries": retries[:10],
            "interactions_ms": {
                "p50": pct(interactions, 50),
                "p95": pct(interactions, 95),
                "p99": pct(interactions, 99),
            },
            "all_requests_ms": {"p50": pct(everything, 50), "p95": pct(everything, 95), "p99": pct(everything, 99)},
            "by_kind_ms": {
                k: {
                    "n": len(v),
                    "p50": pct(v, 50),
                    "p95": pct(v, 95),
                    "p99": pct(v, 99),
                    "bytes_median": statistics.median(sizes[k]),
                }
                for k, v in sorted(samples.items())
            },
            "killed_worker": killed,
            "worker_rss_mb": rss,
        }
        OUT.mkdir(exist_ok=True)
        name = (
            ("load-kill.json" if KILL_AT else "load.json")
            if RETRY
            else ("load-kill-no-retry.json" if KILL_AT else "load-no-retry.json")
        )
        (OUT / name).write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
    finally:
        server.terminate()
        server.wait(15)


if __name__ == "__main__":
    main()
