"""The page's scripts and styles, compressed once and sent whole from memory.

Flask-Compress 1.25 compresses every response again on every request, and a file that
Flask sends (the assets, plotly.js's 3 MB among them) as a stream: 8 KB at a time, each
piece compressed and written apart. Compressing the same files again was most of the
server's work for a page opening, and every viewer opening the page at once waited on it
(the threads take turns between the pieces).

These files do not change while the server runs (a deploy restarts it): each is compressed
once per encoding, the first time it is asked for, and kept (about 1.3 MB per encoding for
the page's files). What is kept is keyed by the file's path (a component's without Dash's
fingerprint), whether its address names its version, and the encoding, so that no request
can make it grow past four times the files there are. An asset whose address names its
version is the browser's to keep for a year."""

from __future__ import annotations

import gzip

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd  # Flask-Compress 1.25's own dependency before it

from dash import Dash
from dash.fingerprint import check_fingerprint
from flask import Response, request

from dashboard import memory

SUITES = "/_dash-component-suites/"
TYPES = ("text/javascript", "application/javascript", "text/css")
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Last-Modified", "ETag", "Content-Encoding", "Vary")
YEAR = 31_536_000  # s
# Zstandard where the browser takes it, as Flask-Compress prefers it. Kept gzipped, the first
# map was slower than streamed as before (16 alternated cold loads, 6 December: 1,767 ms
# against 1,706; kept as Zstandard, 1,669 ms); why was not found.
ENCODINGS = {
    "zstd": lambda body: zstd.compress(body, 9),
    "gzip": lambda body: gzip.compress(body, compresslevel=9, mtime=0),
}


def register(app: Dash) -> None:
    server = app.server
    assets = app.get_relative_path(f"/{app.config.assets_url_path.strip('/')}/")
    suites = app.get_relative_path(SUITES)
    kept: dict[tuple, tuple[bytes, dict]] = {}  # (*page_file(), encoding) -> body, headers

    def page_file() -> tuple | None:
        """The page file asked for, as (path, versioned), else None. Versioned: its address
        names its version, which an asset's ?m= does (Dash's cache-buster, the file's time) and
        a component's fingerprint (Dash's, its package's version). A path alone names the file."""
        if request.method not in ("GET", "HEAD"):
            return None
        if request.path.startswith(assets):
            return request.path, "m" in request.args
        if request.path.startswith(suites):
            return check_fingerprint(request.path)
        return None

    @server.before_request
    def send_kept():
        found = kept.get((*file, _encoding())) if (file := page_file()) else None
        if found is None:
            return None
        body, headers = found
        return Response(body, headers=headers).make_conditional(request)

    # Registered after Dash's Flask-Compress, so it runs before it; Flask-Compress leaves
    # a response with a Content-Encoding as it is.
    @server.after_request
    def keep(resp: Response) -> Response:
        file = page_file()
        if file is None or resp.status_code != 200 or resp.mimetype not in TYPES:
            return resp
        if file[1] and request.path.startswith(assets):
            # An address that names its version never changes: the browser keeps the file (and
            # its compiled code) for the next visit, without asking again. Dash does so for its
            # components' fingerprinted addresses; Flask sends assets with no-cache.
            resp.cache_control.no_cache = None
            resp.cache_control.public, resp.cache_control.max_age, resp.cache_control.immutable = True, YEAR, True
        encoding = _encoding()
        if encoding is None or (*file, encoding) in kept:
            return resp
        resp.direct_passthrough = False  # (a file Flask sends is read here, once)
        resp.set_data(ENCODINGS[encoding](resp.get_data()))
        etag, weak = resp.get_etag()
        if etag:
            resp.set_etag(f"{etag}:{encoding}", weak)
        resp.headers.update({"Content-Encoding": encoding, "Vary": "Accept-Encoding"})
        kept[(*file, encoding)] = (resp.get_data(), {h: resp.headers[h] for h in KEPT_HEADERS if h in resp.headers})
        resp.call_on_close(memory.give_back)  # (the compressor's working memory, once sent)
        return resp


def _encoding() -> str | None:
    """The first of ENCODINGS the browser takes (none: Flask-Compress answers as before)."""
    return next((e for e in ENCODINGS if request.accept_encodings[e] > 0), None)
