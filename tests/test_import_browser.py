"""Uploading figures in Chromium: a bad file is explained row by row, a good one is marked."""
from pathlib import Path

from tests.browser import browser_page, wait_for_map
from tests.test_imports import GOOD, HEADER

SHOTS = Path(__file__).parent / "screenshots"


def test_upload_a_bad_then_a_good_file(server_url, tmp_path, monkeypatch):
    user = tmp_path / "user.csv"
    monkeypatch.setenv("ATLAS_USER_FIGURES", str(user))
    bad, good = tmp_path / "bad.csv", tmp_path / "weihai-2025.csv"
    bad.write_text(f"{HEADER}\n{GOOD}\n{GOOD.replace(',2026,', ',20x6,')}\n"
                   f"{GOOD.replace('resident_population', 'people')}\n", encoding="utf-8")
    good.write_text(f"{HEADER}\n{GOOD.replace(',2026,', ',2025,')}\n", encoding="utf-8")
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        page.set_input_files("#upload-figures input[type=file]", str(bad))
        page.wait_for_selector("#upload-status .bad")
        status = page.inner_text("#upload-status")
        assert "2 行有误" in status and "row 3, column 'year'" in status and "unknown indicator" in status
        assert not user.exists()
        page.screenshot(path=SHOTS / "08-upload-bad-rows.png")
        page.set_input_files("#upload-figures input[type=file]", str(good))
        page.wait_for_selector("#upload-status .good")
        assert "已导入 1 条" in page.inner_text("#upload-status")
        page.screenshot(path=SHOTS / "09-upload-imported.png")
        page.get_by_text("数据来源", exact=True).click()
        page.wait_for_function("""() => { const api = dash_ag_grid.getApi('sources-grid');
            let n = 0; api.forEachNode(r => { if (r.data.imported) n++; }); return n === 1; }""")
        page.wait_for_timeout(300)
        page.screenshot(path=SHOTS / "10-sources.png")
        assert page.foreign == [] and page.refused == [] and page.console_errors == []
