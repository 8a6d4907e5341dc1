"""What every response carries, and what a bad request gets.

- Security headers: a Content-Security-Policy that allows only this origin
  (plus the hashes of Dash's own inline scripts, MapLibre's blob: workers and
  inline styles, which React and plotly.js set), no framing, no sniffing, no
  referrer.
- Callback requests are checked before Dash sees them: malformed or too deeply
  nested JSON, an unknown output, inputs, state or outputs not shaped as the
  callback declares them, or an oversized body gets a short 4xx, not a 500.
  An oversized body is read (up to DRAIN_LIMIT) before the 413 goes out, so
  that the client, still sending, receives the answer instead of a reset.
- Header values made from a request are percent-encoded (header_value).
- Any other failure is logged with its traceback on the server; the client
  gets a plain message and never the traceback.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from dash import Dash
from flask import Response, request
from werkzeug.exceptions import HTTPException

MAX_BODY = 1 << 20  # 1 MB: the largest real callback request is a few KB
# An oversized body up to this size is read and discarded before the 413: a
# server that answers and closes while the client is still sending resets the
# connection, and the client (a browser too) sees that instead of the answer.
DRAIN_LIMIT = 8 << 20
MAX_DEPTH = 32  # nesting of a callback body; the page's own reach 7 (a map click)
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
    def refuse_oversized():
        size = request.content_length
        if size is None or size <= MAX_BODY:
            return None
        # Past DRAIN_LIMIT the answer goes out at once; the client may then see a reset.
        stream, left = request.environ["wsgi.input"], size if size <= DRAIN_LIMIT else 0
        while left > 0:
            chunk = stream.read(min(left, 64 << 10))
            if not chunk:
                break
            left -= len(chunk)
        return _plain("Request Entity Too Large", 413)

    @server.before_request
    def check_callback():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        try:
            body = request.get_json(silent=True)
        except RecursionError:  # nested deeper than the JSON parser recurses
            return _plain("bad callback request", 400)
        problem = callback_problem(body, app.callback_map)
        return _plain(problem, 400) if problem else None

    @server.errorhandler(Exception)
    def hide_internals(exc):
        if isinstance(exc, HTTPException):
            return _plain(exc.name, exc.code or 500)
        log.exception("request failed: %s %s", request.method, request.path)
        return _plain("The atlas could not answer this request; the error has been logged.", 500)


def callback_problem(body, callback_map: dict) -> str | None:
    """What is wrong with a callback request body, or None: it must name a
    server-side callback and give its outputs, inputs and state as declared
    (Dash indexes and unpacks them without checking, and fails with a 500)."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return "bad callback request"
    cb = callback_map.get(body["output"])
    if cb is None or "callback" not in cb:  # a clientside callback runs in the browser only
        return "unknown callback"
    if _depth(body) > MAX_DEPTH:
        return "callback request nested too deeply"
    declared = cb["output"]
    outputs = [
        {"id": o.component_id, "property": o.component_property}
        for o in (declared if isinstance(declared, list) else [declared])
    ]
    sent = body.get("outputs")
    if not (_same(sent, outputs) if isinstance(declared, list) else _same([sent], outputs)):
        return "callback outputs do not match the callback"
    if not _same(body.get("inputs"), cb["inputs"]) or not _same(body.get("state", []), cb["state"]):
        return "callback inputs do not match the callback"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "bad callback request"
    return None


def _optional(kind):
    return lambda v: v is None or isinstance(v, kind)


# Properties whose type the component fixes and the callbacks rely on (the
# address bar's query string is text, a click count a whole number). Other
# values (a control's value, a click's data, a store's data) may hold any
# JSON: the callbacks check those against what the page offers and drop the
# rest.
PROPERTY_TYPES = {
    "search": _optional(str),
    "contents": _optional(str),
    "filename": _optional(str),
    "n_clicks": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)),
}


def _same(sent, declared: list) -> bool:
    """Whether `sent` is one {id, property[, value]} object per declared
    dependency, naming it (a property may carry Dash's '@…' suffix), with a
    value of the type its property holds (absent is null: JSON drops undefined)."""
    if not isinstance(sent, list) or len(sent) != len(declared):
        return False
    for item, dep in zip(sent, declared):
        # A pattern-matching id (Dash 4 keeps it as its JSON text in callback_map): any of its
        # matches, a list of them for ALL.
        if isinstance(dep["id"], dict) or str(dep["id"]).startswith("{"):
            items = item if isinstance(item, list) else [item]
            if not all(
                isinstance(i, dict) and isinstance(i.get("id"), dict) and isinstance(i.get("property"), str)
                for i in items
            ):
                return False
        elif not (
            isinstance(item, dict)
            and item.get("id") == dep["id"]
            and isinstance(item.get("property"), str)
            and item["property"].split("@")[0] == dep["property"].split("@")[0]
            and PROPERTY_TYPES.get(dep["property"], lambda _: True)(item.get("value"))
        ):
            return False
    return True


def _depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def header_value(text: str) -> str:
    """Request-made text as a header value: control characters (NUL, CR, LF …),
    non-ASCII and '%' percent-encoded (UTF-8), printable ASCII kept readable."""
    return quote(text, safe="".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%"))


def _csp(app: Dash) -> str:
    scripts = " ".join(app.csp_hashes())
    return "; ".join(
        [
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
        ]
    )


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")
