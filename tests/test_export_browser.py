"""The PNG download in the page: it says it is being prepared, and when the
server is busy it says so and asks again after Retry-After."""

import io
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from PIL import Image

from dashboard import export
from dashboard.export_queue import RenderQueue
from dashboard.i18n import t
from tests.browser import browser_page


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def _wait_for(page, condition, seconds=30):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        page.wait_for_timeout(20)  # not time.sleep: the page's requests pass through this process


def test_a_png_download_shows_its_progress_and_waits_out_a_busy_server(server_url, monkeypatch):
    gate, picture = threading.Event(), _png()

    def render(fig):  # a stand-in for Chromium, held until the test lets it finish
        assert gate.wait(60)
        return picture

    queue = RenderQueue(waiting=0, seconds=1)  # Retry-After: 1 s
    monkeypatch.setattr(export, "PNG_QUEUE", queue)
    monkeypatch.setattr(export, "_render_png", render)
    status = "document.querySelector('#export-png').dataset.status || ''"
    busy = "^" + t("export.busy", "zh").replace("{s}", "\\d+") + "$"
    with browser_page(server_url) as page, ExitStack() as full:
        page.goto(server_url)
        link = page.locator("#export-png")
        link.wait_for()
        full.enter_context(queue.place())  # someone else's PNG is being made
        with page.expect_download(timeout=60000) as download:
            link.click()
            page.wait_for_function(f"(re) => new RegExp(re).test({status})", arg=busy, timeout=20000)
            full.close()  # it is done: the next try gets the place
            _wait_for(page, lambda: queue.held == 1)
            page.wait_for_function(f"(text) => {status} === text", arg=t("export.preparing", "zh"), timeout=20000)
            gate.set()
        assert download.value.suggested_filename.endswith(".png")
        assert Path(download.value.path()).read_bytes() == picture
        page.wait_for_function(f"() => {status} === ''", timeout=20000)  # and the link is itself again
        assert link.inner_text() == t("export.png", "zh")
        # The browser itself logs each 503 it receives; nothing else went wrong.
        assert all("503" in e for e in page.console_errors), page.console_errors
        assert not page.refused
