"""PNG exports under load (make bench-exports): does the atlas stay usable?

Starts `make serve`'s gunicorn (WORKERS, default 3) on a free loopback port.
VIEWERS (20) simulated viewers open the page again and again (/, layout,
dependencies, the boundary GeoJSON, with a browser's ETags and about a second
between visits): QUIET_SECONDS (15) alone, then while EXPORTS (20) PNG exports
are requested at once. An export answered 503 comes back after its
Retry-After, as the page does, until DEADLINE (420 s). Reports the page
requests' latency with and without exports, what the exports got, the wall
time and the peak memory of the server's whole process tree (Chromium
included). Nothing is asserted.

    python -m bench.exports_load [--repo DIR]   # DIR: another checkout's server, to compare
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

from bench.load import Viewer
from bench.run import _free_port

WORKERS = os.environ.get("WORKERS", "3")
VIEWERS = int(os.environ.get("VIEWERS", "20"))
EXPORTS = int(os.environ.get("EXPORTS", "20"))
QUIET = float(os.environ.get("QUIET_SECONDS", "15"))
DEADLINE = float(os.environ.get("DEADLINE", "420"))
OUT = Path(__file__).parent / "out"
REPO = Path(__file__).resolve().parent.parent
INDICATORS = ["gdp", "resident_population", "urbanization_rate", "urban_district_population"]
PAGE = [
    ("page", "/"),
    ("layout", "/_dash-layout"),
    ("dependencies", "/_dash-dependencies"),
    *[("geojson", f"/geo/{layer}.geojson") for layer in ("cities", "counties", "context", "zones")],
]


def started(pid: int) -> str | None:
    """When pid started (clock ticks since boot): with its id, names one process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def tree_memory(root: int, seen: dict | None = None) -> tuple[int, int, int]:
    """(processes, RSS MB, PSS MB) of root and all its descendants, from /proc;
    each is noted in seen (id: start time)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    todo, rss, pss, n = [root], 0, 0, 0
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Rss:", "Pss:")):
                    kb = int(line.split()[1])
                    rss, pss = (rss + kb, pss) if line.startswith("Rss:") else (rss, pss + kb)
            n += 1
            if seen is not None:
                seen.setdefault(pid, started(pid))
        except (OSError, ValueError):
            pass
    return n, rss // 1024, pss // 1024


def pct(values, q):
    return round(1000 * statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1) if len(values) > 1 else None


def summary(values):
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": round(1000 * max(values), 1) if values else None,
    }


def export(port: int, i: int, start: float, out: dict, lock):
    """One PNG export, retried after each 503's Retry-After until it comes or DEADLINE."""
    rng = random.Random(i)
    query = (
        f"?indicator={INDICATORS[i % 4]}&view={['baseline', 'target'][i % 2]}"
        f"&layers=ports,projects&lang={['zh', 'en'][i // 2 % 2]}"
    )
    first = time.perf_counter()
    while time.perf_counter() - start < DEADLINE:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        try:
            conn.request("GET", "/export/view.png" + query)
            resp = conn.getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                out["failed"].append(type(exc).__name__)
            return
        finally:
            conn.close()
        if resp.status == 200 and body.startswith(b"\x89PNG"):
            with lock:
                out["completed"].append(time.perf_counter() - first)
            return
        retry = resp.getheader("Retry-After")
        if resp.status != 503 or not (retry or "").isdigit():
            with lock:
                out["failed"].append(f"{resp.status} Retry-After={retry}")
            return
        with lock:
            out["busy"] += 1
        time.sleep(int(retry) + rng.uniform(0, 2))  # as the page does; spread out a little
    with lock:
        out["gave_up"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="serve this checkout (default: this one)")
    parser.add_argument("--out", type=Path, default=OUT / "exports-load.json")
    args = parser.parse_args()
    port = _free_port()
    env = dict(os.environ, PORT=str(port), WORKERS=WORKERS, HOST="127.0.0.1")
    # Its own session, as a service would be: the kernel then shares the CPU
    # between the server and these simulated clients as it would between machines.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "dashboard/gunicorn_conf.py", "dashboard.wsgi:server"],
        cwd=args.repo,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: dict[int, str | None] = {}  # every process of the server's tree, to find any left behind
    result = None
    try:
        for _ in range(1200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/geo/cities.geojson")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.1)
        time.sleep(2)  # every worker up
        memory = {"before": tree_memory(server.pid), "peak_rss": (0, 0, 0), "peak_pss": (0, 0, 0)}
        lock = threading.Lock()
        phase = ["quiet"]
        samples: dict[str, list[float]] = {"quiet": [], "exports": []}
        by_kind: dict[str, list[float]] = {}
        errors: list = []
        stop = threading.Event()
        start = time.perf_counter()

        def record(kind, seconds, ok, error, size):
            with lock:
                samples[phase[0]].append(seconds)
                if phase[0] == "exports":
                    by_kind.setdefault(kind, []).append(seconds)
                if not ok:
                    errors.append((round(time.perf_counter() - start, 1), phase[0], kind, error))

        def view(i):
            viewer = Viewer(port, {}, i, record)
            viewer.conn.timeout = 120  # as a browser's patience: the home page timed out at 120 s
            stop.wait(viewer.rng.random() * 2)
            while not stop.is_set():
                for kind, path in PAGE:  # as bench.load's open_page, but stopping when told
                    if not stop.is_set():
                        viewer.request(kind, "GET", path)
                stop.wait(viewer.rng.uniform(0.5, 1.5))

        def sample_memory():
            while not stop.wait(0.5):
                m = tree_memory(server.pid, seen)
                with lock:
                    memory["peak_rss"] = max(memory["peak_rss"], m, key=lambda x: x[1])
                    memory["peak_pss"] = max(memory["peak_pss"], m, key=lambda x: x[2])

        threads = [threading.Thread(target=view, args=(i,)) for i in range(VIEWERS)]
        threads.append(threading.Thread(target=sample_memory))
        for t in threads:
            t.start()
        time.sleep(QUIET)
        with lock:
            phase[0] = "exports"
        exports = {"completed": [], "busy": 0, "failed": [], "gave_up": 0}
        t0 = time.perf_counter()
        workers = [threading.Thread(target=export, args=(port, i, t0, exports, lock)) for i in range(EXPORTS)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        wall = time.perf_counter() - t0
        stop.set()
        for t in threads:
            t.join()
        memory["after"] = tree_memory(server.pid)
        result = {
            "repo": str(args.repo),
            "commit": subprocess.run(
                ["git", "-C", str(args.repo), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            or None,
            "workers": int(WORKERS),
            "viewers": VIEWERS,
            "exports": EXPORTS,
            "page_ms_quiet": summary(samples["quiet"]),
            "page_ms_during_exports": summary(samples["exports"]),
            "page_ms_during_exports_by_kind": {k: summary(v) for k, v in sorted(by_kind.items())},
            "page_errors": len(errors),
            "first_page_errors": errors[:10],
            "exports_completed": len(exports["completed"]),
            "answers_503": exports["busy"],
            "exports_failed": exports["failed"],
            "exports_given_up": exports["gave_up"],
            "export_seconds": {
                k: v if v is None or k == "n" else round(v / 1000, 1) for k, v in summary(exports["completed"]).items()
            },
            "wall_seconds": round(wall, 1),
            "memory_mb": {
                "before": memory["before"][1:],
                "peak_rss_tree": memory["peak_rss"][1],
                "peak_pss_tree": memory["peak_pss"][2],
                "processes_at_peak": memory["peak_rss"][0],
                "after": memory["after"][1:],
                "note": "(RSS, PSS) of the server's process tree",
            },
        }
    finally:
        server.terminate()  # gunicorn stops its workers, and they their Chromium
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # the session started above, nothing else
            server.wait()
    if result is None:
        return
    time.sleep(2)
    left = [pid for pid, at in sorted(seen.items()) if at and started(pid) == at]
    result["left_running_after_stop"] = len(left)
    for pid in left:  # the server's own processes (Chromium), orphaned: gone with it
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
