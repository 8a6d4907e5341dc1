"""The page's scripts and styles: compressed once, then sent from memory (dashboard/static_files.py)."""

from __future__ import annotations

import gzip

import pytest
from dash import Dash, html

from dashboard import export, static_files

CHROMIUM = {"Accept-Encoding": "gzip, deflate, br, zstd"}
DECODE = {"zstd": static_files.zstd.decompress, "gzip": gzip.decompress}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A Dash app with one script among its assets, and what it compressed, by encoding."""
    (tmp_path / "big.js").write_text("var x = 1;\n" * 20_000)
    app = Dash(__name__, assets_folder=str(tmp_path), compress=True)
    app.layout = html.Div("words " * 1000)
    runs = []

    def counted(encoding, compress):
        return lambda body: runs.append(encoding) or compress(body)

    monkeypatch.setattr(static_files, "ENCODINGS", {e: counted(e, f) for e, f in static_files.ENCODINGS.items()})
    static_files.register(app)
    return app.server.test_client(), runs, (tmp_path / "big.js").read_bytes()


def test_a_script_is_compressed_once_and_then_sent_as_kept(tiny):
    client, runs, raw = tiny
    first = client.get("/assets/big.js?m=1", headers=CHROMIUM)
    again = client.get("/assets/big.js?m=2", headers=CHROMIUM)  # (the query only busts caches)
    for resp in (first, again):
        assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "zstd"  # (Chromium's fastest)
        assert DECODE["zstd"](resp.data) == raw
        assert int(resp.headers["Content-Length"]) == len(resp.data) < len(raw) / 10
        assert resp.headers["Vary"] == "Accept-Encoding"
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert runs == ["zstd"]


def test_each_browser_gets_an_encoding_it_takes(tiny):
    client, runs, raw = tiny
    for accept, encoding in (("gzip, deflate", "gzip"), ("zstd", "zstd"), ("gzip", "gzip"), ("zstd, gzip", "zstd")):
        resp = client.get("/assets/big.js", headers={"Accept-Encoding": accept})
        assert resp.status_code == 200 and resp.headers["Content-Encoding"] == encoding
        assert DECODE[encoding](resp.data) == raw
    assert runs == ["gzip", "zstd"]
    # a browser taking neither: Flask-Compress answers, as it did before
    assert client.get("/assets/big.js", headers={"Accept-Encoding": "br, gzip;q=0"}).headers["Content-Encoding"] == "br"
    assert runs == ["gzip", "zstd"]


def test_a_kept_script_is_revalidated_by_its_etag(tiny):
    client, _, _ = tiny
    etag = client.get("/assets/big.js", headers=CHROMIUM).headers["ETag"]
    assert etag.endswith(':zstd"')  # (not the plain file's: the bodies differ)
    assert client.get("/assets/big.js", headers={**CHROMIUM, "If-None-Match": etag}).status_code == 304
    assert client.get("/assets/big.js", headers={**CHROMIUM, "If-None-Match": '"other"'}).status_code == 200


def test_an_asset_whose_address_names_its_version_is_kept_by_the_browser_for_a_year(tiny):
    client, runs, _ = tiny
    for accept in (CHROMIUM, {"Accept-Encoding": "identity"}):
        for _ in range(2):  # (sent, then kept)
            named = client.get("/assets/big.js?m=1796505056.8", headers=accept).headers["Cache-Control"]
            assert set(named.split(", ")) == {"public", "max-age=31536000", "immutable"}, named
            plain = client.get("/assets/big.js", headers=accept).headers["Cache-Control"]
            assert "max-age=31536000" not in plain and "no-cache" in plain  # (asked again each time)
    assert runs == ["zstd", "zstd"]  # one each, of the two addresses


def test_a_client_that_takes_no_compression_gets_the_file_itself(tiny):
    client, _, raw = tiny
    client.get("/assets/big.js", headers=CHROMIUM)  # kept
    resp = client.get("/assets/big.js", headers={"Accept-Encoding": "identity"})
    assert resp.status_code == 200 and "Content-Encoding" not in resp.headers
    assert resp.data == raw


def test_dash_fingerprints_keep_their_own_caching_and_do_not_grow_what_is_kept(tiny):
    client, runs, _ = tiny
    suite = "/_dash-component-suites/dash/deps/react@18.{}3.1.min.js"
    a = client.get(suite.format("v4_4_1m1."), headers=CHROMIUM)
    b = client.get(suite.format("v4_4_1m2."), headers=CHROMIUM)
    plain = client.get(suite.format(""), headers=CHROMIUM)
    assert a.status_code == b.status_code == plain.status_code == 200
    assert a.headers["Cache-Control"] == b.headers["Cache-Control"] == "max-age=31536000"
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")  # (revalidated by its ETag)
    assert len(runs) == 2  # the fingerprinted file once, the plain one once
    assert DECODE["zstd"](a.data) == DECODE["zstd"](plain.data)


def test_what_is_not_a_page_file_is_left_to_flask_compress(tiny):
    client, runs, _ = tiny
    resp = client.get("/_dash-layout", headers=CHROMIUM)
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "zstd"  # (Flask-Compress's)
    assert runs == []


def test_the_atlas_sends_its_plotly_js_kept_with_its_headers(app):
    client = app.server.test_client()
    path = "/assets/" + export.PLOTLY_JS.relative_to(export.ASSETS).as_posix()
    resps = [client.get(path, headers=CHROMIUM) for _ in range(2)]
    assert resps[0].data == resps[1].data
    for resp in resps:
        assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "zstd"
        assert DECODE["zstd"](resp.data) == export.PLOTLY_JS.read_bytes()
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]  # (security.protect's)
