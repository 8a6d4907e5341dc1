"""The server's memory after renders on several threads at once (dashboard/memory.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A process with the app does the work named, and prints how much its RSS grew: "exports"
# renders the same HTML export on four threads at once, twice; "files" sends every file the
# page asks for, compressed both ways (dashboard/static_files.py compresses each once).
# "kept": as the server runs; "not kept": with dashboard.memory's two calls made to do nothing.
RENDERS = """
import re, sys, threading
from dashboard import memory
if sys.argv[1] == "not kept":
    memory.limit_arenas = lambda count=2: False
    memory.give_back = lambda: False
from dashboard.app import create_app

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

app = create_app()
client = app.server.test_client()
client.get("/export/view.csv")
page = client.get("/").get_data(as_text=True)
start = rss()
# (each response closed as a server closes it once sent: the trim runs then)
if sys.argv[2] == "exports":
    for _ in range(2):
        get = lambda: app.server.test_client().get("/export/view.html?indicator=gdp&layers=ports,projects").close()
        threads = [threading.Thread(target=get) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
else:  # (each on a thread of its own, as the server answers each request)
    for encoding in ("gzip, deflate, br, zstd", "gzip"):
        for path in re.findall(r'<script src="([^"]+)"', page):
            get = lambda: client.get(path, headers={"Accept-Encoding": encoding}).close()
            thread = threading.Thread(target=get)
            thread.start()
            thread.join()
print(rss() - start)
"""


def _growth(mode: str, work: str = "exports") -> int:
    run = subprocess.run(
        [sys.executable, "-c", RENDERS, mode, work], cwd=REPO, capture_output=True, text=True, timeout=300, check=True
    )
    return int(run.stdout.split()[-1])


def test_renders_on_several_threads_leave_the_server_near_its_working_size():
    """glibc's malloc gave each rendering thread an arena of its own and kept what they
    freed: 60-70 MB more after eight HTML exports, four at a time; 38-46 MB with two
    arenas and a trim after each render (this machine)."""
    kept, not_kept = _growth("kept"), _growth("not kept")
    assert kept <= not_kept - 10, (kept, not_kept)


def test_the_page_files_compressed_once_leave_the_server_near_its_working_size():
    """Compressing plotly.js's 3 MB (once per encoding) left the compressor's working memory
    with malloc: 9-10 MB more after every page file was sent both ways; 1 MB with a trim
    after each compression (this machine; a served page: 19 MB against 3-5)."""
    kept, not_kept = _growth("kept", "files"), _growth("not kept", "files")
    assert kept <= not_kept - 5, (kept, not_kept)
