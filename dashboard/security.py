"""What every response carries, and what a bad request gets.

- Security headers: a Content-Security-Policy that allows only this origin
  (plus the hashes of Dash's own inline scripts, MapLibre's blob: workers and
  inline styles, which React and plotly.js set), no framing, no sniffing, no
  referrer.
- Callback requests are checked before Dash sees them: malformed JSON, an
  unknown output or an oversized body gets a short 4xx, not a 500.
- Any other failure is logged with its traceback on the server; the client
  gets a plain message and never the traceback.
"""
from __future__ import annotations

import logging

from dash import Dash
from flask import Response, request
from werkzeug.exceptions import HTTPException

MAX_BODY = 1 << 20  # 1 MB: the largest real callback request is a few KB
CALLBACK_PATH = "/_dash-update-component"
log = logging.getLogger("atlas")


def protect(app: Dash) -> None:
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    headers = {
        "Content-Security-Policy": _csp(app),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }

    @server.after_request
    def add_headers(resp: Response) -> Response:
        resp.headers.update(headers)
        return resp

    @server.before_request
    def check_callback():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("output"), str):
            return _plain("bad callback request", 400)
        if body["output"] not in app.callback_map:
            return _plain("unknown callback", 400)
        if not isinstance(body.get("inputs"), list):
            return _plain("bad callback request", 400)
        return None

    @server.errorhandler(Exception)
    def hide_internals(exc):
        if isinstance(exc, HTTPException):
            return _plain(exc.name, exc.code or 500)
        log.exception("request failed: %s %s", request.method, request.path)
        return _plain("The atlas could not answer this request; the error has been logged.", 500)


def _csp(app: Dash) -> str:
    scripts = " ".join(app.csp_hashes())
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "child-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")
