"""PNG exports through a bounded queue: one renders, a few wait, the rest get
503 with Retry-After at once; pages are served meanwhile."""

import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from dashboard import export
from dashboard.export_queue import Busy, RenderQueue
from tests.test_serve import _start

STAND_IN = b"\x89PNG stand-in"


def test_the_queue_holds_one_rendering_and_its_waiting_ones_and_no_more():
    q = RenderQueue(waiting=2)
    with ExitStack() as stack:
        for _ in range(3):
            stack.enter_context(q.place())
        assert q.held == 3
        with pytest.raises(Busy) as busy, q.place():
            pass
        assert busy.value.retry_after >= 1
        assert q.held == 3  # turned away without taking a place
    assert q.held == 0
    with q.place():  # and places free again
        assert q.held == 1


def test_a_failed_render_frees_its_place_and_its_turn():
    q = RenderQueue(waiting=0)
    with pytest.raises(RuntimeError), q.place(), q.turn():
        raise RuntimeError("Chromium crashed")
    assert q.held == 0
    with q.place(), q.turn():  # neither left taken
        pass


def test_retry_after_follows_how_long_renders_take():
    q = RenderQueue(waiting=0, seconds=0.0)
    for _ in range(20):
        with q.turn():
            time.sleep(0.06)
    assert q.retry_after() == 1  # at least a second, never 0
    q.seconds = 25.2
    assert q.retry_after() == 26


@pytest.fixture
def stand_in(monkeypatch):
    """A fresh queue of the real size and a render that waits for the test to
    let it finish (no Chromium): how many render at once is recorded."""
    gate, entered = threading.Event(), threading.Semaphore(0)
    state = {"now": 0, "most": 0, "fail": None}
    lock = threading.Lock()

    def render(fig):
        assert fig["layout"]["width"] == export.SIZE[0]
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        entered.release()
        try:
            if state["fail"]:
                raise state["fail"]
            assert gate.wait(60), "the test never let the render finish"
            return STAND_IN
        finally:
            with lock:
                state["now"] -= 1

    queue = RenderQueue(waiting=2)
    monkeypatch.setattr(export, "PNG_QUEUE", queue)
    monkeypatch.setattr(export, "_render_png", render)
    return queue, gate, entered, state


def _wait_for(condition, seconds=30):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.01)


def test_beyond_the_queue_exports_get_503_with_retry_after_at_once(app, stand_in):
    queue, gate, entered, state = stand_in
    get = lambda i: app.server.test_client().get(  # noqa: E731 - a client per request, as browsers are
        f"/export/view.png?indicator=gdp&lang={'zh' if i % 2 else 'en'}"
    )
    with ThreadPoolExecutor(queue.capacity) as pool:
        admitted = [pool.submit(get, i) for i in range(queue.capacity)]
        _wait_for(lambda: queue.held == queue.capacity)
        assert entered.acquire(timeout=30)  # one is rendering, the others wait
        # The queue is full and its renders are held: these answer without waiting.
        turned = [get(i) for i in range(2)]
        for resp in turned:
            assert resp.status_code == 503
            assert resp.headers["Retry-After"].isdigit() and int(resp.headers["Retry-After"]) >= 1
            assert resp.mimetype == "text/plain"
            assert resp.data.decode().count("\n") == 1 and "Traceback" not in resp.data.decode()
        assert app.server.test_client().get("/geo/cities.geojson").status_code == 200
        gate.set()
        done = [f.result(timeout=60) for f in admitted]
    assert [r.status_code for r in done] == [200] * queue.capacity
    assert all(r.data == STAND_IN and r.mimetype == "image/png" for r in done)
    assert state["most"] == 1  # one render at a time
    assert queue.held == 0


def test_a_render_that_fails_gives_its_place_back(app, stand_in):
    queue, gate, entered, state = stand_in
    client = app.server.test_client()
    state["fail"] = RuntimeError("the render failed")
    for _ in range(queue.capacity + 1):  # more failures than places: none kept one
        resp = client.get("/export/view.png?indicator=gdp")
        assert resp.status_code == 500 and b"Traceback" not in resp.data
    assert queue.held == 0
    state["fail"] = None
    gate.set()
    resp = client.get("/export/view.png?indicator=gdp")
    assert resp.status_code == 200 and resp.data == STAND_IN


def test_a_render_that_times_out_is_a_503_to_come_back_after(app, stand_in):
    queue, _, _, state = stand_in
    state["fail"] = TimeoutError()  # what kaleido raises when a render takes too long
    resp = app.server.test_client().get("/export/view.png")
    assert resp.status_code == 503 and resp.headers["Retry-After"].isdigit()
    assert queue.held == 0


def test_the_command_line_renders_every_slide_even_when_the_queue_is_full(stand_in, tmp_path):
    queue, gate, _, _ = stand_in
    gate.set()
    with ExitStack() as stack:  # a server in this process could have filled it
        for _ in range(queue.capacity):
            stack.enter_context(queue.place())
        assert export.main(["--briefing", "ports-and-sea", "--out", str(tmp_path), "--formats", "png"]) == 0
    pngs = sorted(tmp_path.glob("*.png"))
    assert pngs and all(p.read_bytes() == STAND_IN for p in pngs)


def _fetch(url, timeout):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_the_server_turns_extra_exports_away_and_keeps_serving_pages():
    """One gunicorn worker, its real Chromium: more PNGs than its queue holds."""
    capacity = export.PNG_QUEUE.capacity  # the server reads the same THREADS
    extra = 2
    proc, url = _start({"WORKERS": "1"})
    try:
        with ThreadPoolExecutor(capacity + extra) as pool:
            futures = [
                pool.submit(_fetch, f"{url}/export/view.png?view=target&lang={'zh' if i % 2 else 'en'}", 400)
                for i in range(capacity + extra)
            ]
            _wait_for(lambda: sum(f.done() for f in futures) >= extra, 60)
            first = [f.result() for f in futures if f.done()]
            # Pages while the queue is full (the renders take seconds each).
            for path in ["/", "/geo/cities.geojson", "/_dash-layout"]:
                status, _, _ = _fetch(url + path, 5)
                assert status == 200, path
            assert sum(f.done() for f in futures) < capacity + extra  # the queue was still full
            results = [f.result() for f in futures]
    finally:
        proc.terminate()
        proc.wait(30)
    # Those beyond the queue were answered before any picture was made.
    assert len(first) == extra and all(status == 503 for status, _, _ in first)
    assert sum(status == 200 for status, _, _ in results) <= capacity
    for status, headers, body in results:
        # A picture, or come back later: a 503 with Retry-After (also what a render
        # that kaleido gave up on, on a starved machine, gets). Nothing else.
        assert status in (200, 503)
        if status == 503:
            assert headers["Retry-After"].isdigit() and body.decode().count("\n") == 1
        else:
            assert headers["Content-Type"] == "image/png" and body.startswith(b"\x89PNG")


def test_a_render_stuck_past_its_limit_is_abandoned_and_the_next_starts_afresh(monkeypatch):
    """kaleido 1.5.0 can wait for its browser tab for good: the render gives up after
    RENDER_LIMIT_S, stops that Chromium, and the next render gets a server of its own."""
    import kaleido

    release = threading.Event()
    killed, calls = [], []

    def stuck(fig):
        calls.append(fig)
        if len(calls) == 1:
            release.wait(30)  # held like the stuck tab
            return b"too late"
        return STAND_IN

    monkeypatch.setattr(export, "RENDER_LIMIT_S", 0.5)
    monkeypatch.setattr(export, "_kaleido_png", stuck)
    monkeypatch.setattr(export, "_chromium_processes", lambda: [123456789])
    monkeypatch.setattr(export.os, "kill", lambda pid, sig: killed.append((pid, sig)))
    monkeypatch.setattr(export, "_kaleido_started", [True])
    from kaleido import _sync_server

    before = kaleido._global_server  # this process's real server, put back as it was after the test
    monkeypatch.setattr(kaleido, "_global_server", before)
    monkeypatch.setattr(before, "_initialized", before.is_running())
    monkeypatch.setattr(_sync_server.GlobalKaleidoServer, "_instance", before)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        export._render_png({"n": 1})
    assert time.monotonic() - started < 5
    assert [pid for pid, _ in killed] == [123456789]  # its Chromium stopped
    assert kaleido._global_server is not before and not before.is_running()
    assert export._kaleido_started == []  # the next render starts a server
    assert export._render_png({"n": 2}) == STAND_IN
    release.set()
