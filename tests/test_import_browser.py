"""Uploading figures in Chromium: a bad file is explained row by row, a good one is marked
and seen by a page opened afterwards; a file the box refuses gets a message too."""

import threading
from pathlib import Path

import pytest

from dashboard import editors, ids
from layers import user_store
from tests.browser import (
    GRID_API_JS,
    browser_page,
    let_the_map_go,
    open_with_the_map_held,
    wait_for_map,
    wait_for_parts,
    wait_for_places,
)
from tests.test_editors import SECRET
from tests.test_imports import GOOD, HEADER

SHOTS = Path(__file__).parent / "screenshots"


def test_upload_a_bad_then_a_good_file(server_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    bad, good = tmp_path / "bad.csv", tmp_path / "weihai-2025.csv"
    bad.write_text(
        f"{HEADER}\n{GOOD}\n{GOOD.replace(',2026,', ',20x6,')}\n{GOOD.replace('resident_population', 'people')}\n",
        encoding="utf-8",
    )
    # What Excel on Chinese Windows writes: GBK, and here semicolons.
    good.write_bytes(f"{HEADER}\n{GOOD.replace(',2026,', ',2025,')}\n".replace(",", ";").encode("gbk"))
    with browser_page(server_url) as page:
        page.goto(server_url)
        wait_for_map(page)
        page.set_input_files(
            "#upload-figures input[type=file]",
            files=[{"name": "map.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n"}],
        )
        page.wait_for_function("() => document.querySelector('#upload-check').textContent.includes('不是 CSV 文件')")
        page.set_input_files(
            "#upload-figures input[type=file]",
            files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": b"x" * 20_000_000}],
        )
        page.wait_for_function("() => document.querySelector('#upload-check').textContent.includes('文件太大')")
        page.set_input_files("#upload-figures input[type=file]", str(bad))
        page.wait_for_selector("#upload-status .bad")
        assert page.inner_text("#upload-check") == ""
        status = page.inner_text("#upload-status")
        assert "2 行有误" in status and "第 3 行, 'year' 列" in status and "未知的指标" in status
        assert user_store.current().imports().empty
        page.screenshot(path=SHOTS / "08-upload-bad-rows.png")
        page.set_input_files("#upload-figures input[type=file]", str(good))
        page.wait_for_selector("#upload-status .good")
        status = page.inner_text("#upload-status")
        assert "已导入 1 条" in status and "GBK, delimiter ';'" in status
        assert "weihai-2025.csv · 1 条 · single user at 127.0.0.1 · 20" in page.inner_text("#import-list")
        page.screenshot(path=SHOTS / "09-upload-imported.png")
        page.get_by_text("数据来源", exact=True).click()
        page.wait_for_function(_IMPORTED_ROWS, arg=1)
        page.wait_for_timeout(300)
        page.screenshot(path=SHOTS / "10-sources.png")
        assert page.foreign == [] and page.refused == [] and page.console_errors == []
    with browser_page(server_url) as fresh:  # another viewer, opening the atlas afterwards
        fresh.goto(server_url)
        wait_for_map(fresh)
        fresh.get_by_text("数据来源", exact=True).click()
        fresh.wait_for_function(_IMPORTED_ROWS, arg=1)
        fresh.locator(".remove-import").click()
        fresh.wait_for_function(_IMPORTED_ROWS, arg=0)
        assert "已删除" in fresh.inner_text("#upload-status")
        assert user_store.current().imports().empty and fresh.console_errors == []


def test_an_import_while_the_first_map_loads_keeps_its_figures_in_the_side_panel(server_url, tmp_path, monkeypatch):
    """An import refreshes the circle's cards and the data gaps; the parts the page opened
    with, put in once the first map is whole (dashboard/later.py), do not replace them."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    good = tmp_path / "weihai-2025.csv"
    good.write_text(f"{HEADER}\n{GOOD.replace(',2026,', ',2025,')}\n", encoding="utf-8")
    parts = (ids.CIRCLE_CARDS, ids.GAPS)
    with browser_page(server_url) as page:
        held = open_with_the_map_held(page, server_url)
        page.set_input_files("#upload-figures input[type=file]", str(good))
        page.wait_for_selector("#upload-status .good")
        assert page.evaluate("() => !(window.atlas && window.atlas.whole())")
        let_the_map_go(page, held)
        imported = {part: page.inner_text(f"#{part}") for part in parts}
        assert page.console_errors == []
    with browser_page(server_url) as fresh:  # a page opened afterwards shows the import
        fresh.goto(server_url)
        wait_for_places(fresh)
        wait_for_parts(fresh, parts)
        assert imported == {part: fresh.inner_text(f"#{part}") for part in parts}
    with browser_page(server_url) as page:  # and differs from a page without it
        user_store.current().remove(None)
        page.goto(server_url)
        wait_for_places(page)
        wait_for_parts(page, parts)
        assert imported != {part: page.inner_text(f"#{part}") for part in parts}


_IMPORTED_ROWS = (
    "(n) => { const api = (" + GRID_API_JS + ")('sources-grid');"
    " if (!api) return false; let k = 0; api.forEachNode(r => { if (r.data.imported) k++; }); return k === n; }"
)


@pytest.fixture(scope="module")
def shared_url(store):
    """The app as `make serve` builds it (editors sign in), served on a loopback port."""
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    with pytest.MonkeyPatch.context() as env:
        env.setenv(editors.TOKEN_ENV, SECRET)
        app = create_app(store, editors.SIGNED_IN)
    srv = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()


def test_an_editor_signs_in_imports_and_signs_out_in_the_browser(shared_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    good = tmp_path / "rizhao.csv"
    good.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    with browser_page(shared_url) as page:
        page.goto(shared_url)
        wait_for_map(page)
        assert page.locator("#upload-figures").is_hidden() and page.locator("#preview-figures").is_visible()
        page.get_by_text("编辑者登录").click()
        page.fill("input[name=name]", "王芳")
        page.fill("input[name=secret]", "wrong")
        page.get_by_role("button", name="编辑者登录").click()
        assert page.inner_text(".bad") == "姓名为空或口令不对。" and user_store.current().imports().empty
        assert page.console_errors == ["Failed to load resource: the server responded with a status of 403 (FORBIDDEN)"]
        page.console_errors.clear()  # the refusal's own status, as meant
        page.fill("input[name=name]", "王芳")
        page.fill("input[name=secret]", SECRET)
        page.get_by_role("button", name="编辑者登录").click()
        wait_for_map(page)  # a real browser's form post (Origin: null under no-referrer) is let in
        assert "王芳" in page.inner_text(".editor-line")
        page.set_input_files("#upload-figures input[type=file]", str(good))
        page.wait_for_selector("#upload-status .good")
        assert user_store.current().imports()["imported_by"][0].startswith("王芳 (editor")
        page.get_by_role("button", name="退出").click()
        wait_for_map(page)
        assert page.locator("#upload-figures").is_hidden() and page.console_errors == []
