"""No lost clicks: a callback request that fails on the network, or gets a 502/503/504,
is sent once more by the page (assets/atlas.js); the upload's is not."""

import json
from urllib.parse import urlparse

from dashboard import ids
from tests.browser import browser_page, wait_for_map
from tests.test_imports import GOOD, HEADER

NO_RESPONSE = "the server did not respond"  # what Dash's renderer logs for a failed callback


def _fail_first(page, output_id, fail):
    """Make the first callback request for `output_id` fail (`fail(route)`); record all of them."""
    seen = []

    def handle(route):
        body = json.loads(route.request.post_data or "{}")
        outputs = body.get("outputs")
        if any(o.get("id") == output_id for o in (outputs if isinstance(outputs, list) else [outputs or {}])):
            seen.append(body)
            if len(seen) == 1:
                return fail(route)
        return route.fallback()

    page.route(lambda url: urlparse(url).path == "/_dash-update-component", handle)  # Dash adds ?endId=…
    return seen


def _compare_with(page, name):
    """Ask for a second map: a request to the server (a switch of indicator needs none)."""
    page.locator(f"#{ids.COMPARE}").click()
    page.get_by_role("dialog").get_by_role("option", name=name).click()


def _errors(page):
    return [e for e in page.console_errors if "Failed to load resource" not in e]  # the failures we made


def _compared(page, title):
    page.wait_for_function(
        "t => [...document.querySelectorAll('.map-title')].some(e => e.textContent === t)", arg=title
    )


def test_a_callback_that_gets_no_answer_is_sent_again_and_the_second_map_comes(server_url):
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        sent = _fail_first(page, ids.COMPARE_BOX, lambda route: route.abort("connectionreset"))
        _compare_with(page, "2025年目标")
        _compared(page, "2025年目标 · 地区生产总值")
        assert len(sent) == 2 and sent[0] == sent[1]  # the same request, once more
        assert _errors(page) == []


def test_a_503_from_a_proxy_is_retried_and_the_second_map_comes(server_url):
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        sent = _fail_first(page, ids.COMPARE_BOX, lambda route: route.fulfill(status=503, body="busy"))
        _compare_with(page, "2025年实际")
        _compared(page, "2025年实际 · 地区生产总值")
        assert len(sent) == 2
        assert _errors(page) == []


def test_an_upload_that_fails_is_not_sent_twice(server_url, tmp_path, monkeypatch):
    user = tmp_path / "user.csv"
    monkeypatch.setenv("ATLAS_USER_FIGURES", str(user))
    good = tmp_path / "weihai-2023.csv"
    good.write_text(f"{HEADER}\n{GOOD.replace(',2026,', ',2023,')}\n", encoding="utf-8")
    with browser_page(server_url) as page:
        sent = _fail_first(page, ids.UPLOAD_STATUS, lambda route: route.abort("connectionreset"))
        page.goto(server_url)  # the upload needs its control, not the map
        with page.expect_console_message(lambda m: NO_RESPONSE in m.text):  # the page gave up on it
            page.set_input_files(f"#{ids.UPLOAD} input[type=file]", str(good))
        assert len(sent) == 1 and not user.exists()
