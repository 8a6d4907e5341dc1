"""The data gaps in Chromium: beside the import box, the counts by city and kind and the
list of what each city lacks; the link downloads the template of exactly those rows."""

import csv
import io
from pathlib import Path

from dashboard.page import all_figures
from layers import gaps, imports
from tests.browser import browser_page, wait_for_map

SHOTS = Path(__file__).parent / "screenshots"


def _expected(store):
    return gaps.missing(all_figures(store), store.indicator_defs, store.cities["adcode"])


def _counts_shown(page) -> list[list[str]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('#data-gaps table tr')]
             .map(tr => [...tr.children].map(c => c.textContent.trim()))"""
    )


def test_the_gaps_are_listed_and_downloaded_as_a_template(server_url, store):
    missing = _expected(store)
    table = gaps.counts(missing, store.cities["adcode"])
    names = dict(zip(store.cities["adcode"], store.cities["name_zh"]))
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        box = page.locator("#data-gaps")
        box.scroll_into_view_if_needed()
        assert box.locator("h2").inner_text() == "数据缺口"
        assert f"图集还缺 {len(missing)} 个数值" in box.inner_text()
        shown = _counts_shown(page)
        assert shown[0] == ["城市", "2020年基数", "2025年目标", "2025年实际"]
        assert shown[1:6] == [[names[c], *map(str, row)] for c, row in table.iterrows()]
        assert shown[6] == ["合计", *map(str, table.sum())]
        lines = box.locator(".gap-line")
        assert not lines.first.is_visible()  # the list starts folded
        box.locator("summary").click()
        lines.first.wait_for()
        assert lines.count() == missing.groupby(["area_code", "kind"]).ngroups
        first = missing[(missing["area_code"] == "370200") & (missing["kind"] == "baseline")]
        assert lines.first.inner_text().startswith(f"青岛市 · 2020年基数 ({len(first)}): 城区人口、")
        box.screenshot(path=SHOTS / "gaps-view.png")

        with page.expect_download() as got:
            box.locator("a.gaps-link").click()
        download = got.value
        assert download.suggested_filename == "figures-gaps.csv"
        data = Path(download.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0] == imports.COLUMNS
        assert rows[1:] == list(csv.reader(io.StringIO(gaps.template(missing))))[1:]
        assert all(r[imports.COLUMNS.index("value")] == "" for r in rows[1:])
        assert page.foreign == [] and page.refused == [] and page.console_errors == []


def test_the_gaps_read_in_english(server_url, store):
    missing = _expected(store)
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        page.get_by_text("English", exact=True).click()
        # (the gaps are put in once the map is whole, in a new language too: dashboard/later.py)
        page.wait_for_function("() => (document.querySelector('#data-gaps h2') || {}).textContent === 'Data gaps'")
        text = page.inner_text("#data-gaps")
        assert f"the atlas lacks {len(missing)} figures" in text and "All five" in text
        assert page.console_errors == []
