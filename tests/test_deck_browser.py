"""A briefing's deck built from the app, as a presenter builds it: the button is
disabled and a bar shows the progress while it is made, then the file downloads;
two people building decks at once both get theirs."""

import threading
from unittest import mock

import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard import export, slides
from tests.browser import browser_page, wait_for_map

# One slide: each picture takes seconds, and the test makes three.
BRIEFING = """\
title:
  zh: 一页测试汇报
  en: A one-slide test briefing
slides:
  - title: {zh: 城区人口目标, en: Urban population targets}
    note: {zh: 2025年目标。, en: The 2025 targets.}
    view: "?indicator=urban_district_population&view=target&layers="
"""
TITLE = "一页测试汇报"


@pytest.fixture(scope="module")
def deck_server(store, tmp_path_factory):
    """The app with the test briefing beside the shipped ones, on a loopback port."""
    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.editors import OPEN

    folder = tmp_path_factory.mktemp("briefings")
    (folder / "one-slide.yaml").write_text(BRIEFING, "utf-8")
    shipped = slides.load_all

    def with_test_briefing(parse):
        found, errors = shipped(parse)
        extra, more = shipped(parse, folder)
        return {**found, **extra}, errors + more

    with mock.patch.object(slides, "load_all", with_test_briefing):
        app = create_app(store, OPEN)
    srv = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def _choose_briefing(page, url: str) -> None:
    """Opens the atlas, chooses the test briefing (which presents it) and leaves the presentation."""
    page.goto(url)
    wait_for_map(page)
    page.locator("#briefing").click()
    page.get_by_text(TITLE, exact=True).click()
    page.wait_for_function("() => document.querySelector('#root').className === 'app present'")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelector('#root').className === 'app'")


def test_the_deck_button_builds_the_briefing_and_shows_its_progress(deck_server, tmp_path):
    with browser_page(deck_server) as page:
        _choose_briefing(page, deck_server)
        with page.expect_download(timeout=240000) as download:
            with export.PNG_QUEUE.turn():  # the renderer busy: the deck waits its turn, under way
                page.locator("#deck-pptx").click()
                # While it is made: both buttons disabled, the bar and its words shown.
                page.wait_for_function(
                    "() => document.querySelector('#deck-pptx').disabled"
                    " && document.querySelector('#deck-pdf').disabled"
                    " && !document.querySelector('#deck-progress-box').hidden"
                    " && document.querySelector('#deck-progress-text').textContent === '正在生成第 1 / 1 页……'"
                )
        got = download.value
        assert got.suggested_filename.startswith("one-slide-") and got.suggested_filename.endswith(".pptx")
        path = tmp_path / got.suggested_filename
        got.save_as(path)
        prs = Presentation(path)
        assert len(prs.slides) == 3
        assert any(s.has_text_frame and s.text_frame.text == "城区人口目标" for s in prs.slides[1].shapes)
        page.wait_for_function("() => !document.querySelector('#deck-pptx').disabled")
        assert page.locator("#deck-progress-box").is_hidden()
        assert page.locator("#deck-status").text_content() == f"已生成 {got.suggested_filename}"
        assert page.foreign == [] and page.refused == [] and page.console_errors == []


def test_two_people_building_decks_at_once_both_get_theirs(deck_server, tmp_path):
    """The same briefing, the same moment: two jobs, two files (Dash would key both results alike)."""
    with browser_page(deck_server) as one:
        two = one.context.browser.new_context().new_page()  # another person: a browser profile of their own
        _choose_briefing(one, deck_server)
        _choose_briefing(two, deck_server)
        with one.expect_download(timeout=240000) as first, two.expect_download(timeout=240000) as second:
            with export.PNG_QUEUE.turn():  # both under way before either is done
                for page in (one, two):
                    page.locator("#deck-pdf").click()
                for page in (one, two):
                    page.wait_for_function("() => document.querySelector('#deck-pdf').disabled")
                page.wait_for_function(
                    "(n) => document.querySelector('#deck-progress-text').textContent === n",
                    arg="正在生成第 1 / 1 页……",
                )
        for n, download in enumerate((first.value, second.value)):
            path = tmp_path / f"{n}.pdf"
            download.save_as(path)
            assert download.suggested_filename.endswith(".pdf")
            assert len(PdfReader(path).pages) == 1


def test_with_no_briefing_chosen_the_button_says_so(deck_server):
    with browser_page(deck_server) as page:
        page.goto(deck_server)
        wait_for_map(page)
        page.locator("#deck-pptx").click()
        page.wait_for_function("() => document.querySelector('#deck-status').textContent === '请先选择一份汇报。'")
        page.wait_for_function("() => !document.querySelector('#deck-pptx').disabled")
