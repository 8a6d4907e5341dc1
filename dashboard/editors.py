"""Who may change what every viewer sees: viewers read, editors import and remove figures.

On a shared server (`make serve`) an editor signs in at /editor with their name and
the secret the operator set in ATLAS_EDITOR_TOKEN, compared in constant time; a
signed session cookie (HttpOnly, SameSite=Strict) then marks them. With no secret
set, nobody edits a shared server. `python -m dashboard` on loopback (`make run`)
serves one person, who may edit without signing in; the page says so.

Writes are refused, not hidden: a callback that imports or removes answers 403
to anyone else, and a POST from another origin is refused (CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import html as html_text
import os
from urllib.parse import urlsplit

from dash import Dash
from flask import Response, redirect, request, session

from dashboard.i18n import t

TOKEN_ENV = "ATLAS_EDITOR_TOKEN"
CALLBACK_PATH = "/_dash-update-component"
# Set by the single-user entry point (python -m dashboard on loopback).
OPEN, SIGNED_IN = "open", "signed-in"


def register(app: Dash, mode: str, write_outputs: set[str]) -> None:
    """`mode`: OPEN (everyone edits: one user on loopback) or SIGNED_IN (editors sign in)."""
    server = app.server
    server.config["ATLAS_EDITING"] = mode
    token = os.environ.get(TOKEN_ENV, "")
    # Every worker and instance derives the same signing key from the shared secret.
    server.secret_key = (
        hashlib.sha256(b"jiaodong-atlas session\0" + token.encode()).digest() if token else os.urandom(32)
    )
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict")

    @server.before_request
    def guard():
        if request.method != "POST":
            return None
        if not _same_origin():
            return _plain("cross-origin request refused", 403)
        if request.path == CALLBACK_PATH:
            body = request.get_json(silent=True)  # parsed and checked by security.check_callback
            output = body.get("output") if isinstance(body, dict) else None
            if output in write_outputs and not is_editor():
                return _plain("importing and removing figures needs an editor (sign in at /editor)", 403)
        return None

    @server.route("/editor", methods=["GET", "POST"])
    def sign_in():
        lang = "en" if request.args.get("lang") == "en" else "zh"
        if mode == OPEN:
            return redirect("/")
        if request.method == "GET":
            return _form(lang, "")
        name = request.form.get("name", "").strip()[:60]
        given = request.form.get("secret", "")
        if not token:
            return _form(lang, t("editor.no_token", lang), 403)
        if not name or not hmac.compare_digest(given.encode(), token.encode()):
            return _form(lang, t("editor.wrong", lang), 403)
        session.clear()
        session["editor"] = name
        return redirect("/" + (f"?lang={lang}" if lang == "en" else ""))

    @server.route("/editor/sign-out", methods=["POST"])
    def sign_out():
        session.clear()
        return redirect("/")


def _same_origin() -> bool:
    """Whether a POST comes from the atlas's own pages. Browsers say so in Sec-Fetch-Site; a
    form posted under our `Referrer-Policy: no-referrer` carries `Origin: null`, so Origin is
    only the fallback (older browsers). No Origin at all: not a browser (curl, the tests)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def mode() -> str:
    from flask import current_app, has_request_context

    return current_app.config.get("ATLAS_EDITING", SIGNED_IN) if has_request_context() else SIGNED_IN


def is_editor() -> bool:
    from flask import has_request_context

    return mode() == OPEN or (has_request_context() and bool(session.get("editor")))


def who() -> str:
    """Who an import is recorded as."""
    if mode() == OPEN:
        return f"single user at {request.remote_addr}"
    return f"{session.get('editor')} (editor, {request.remote_addr})"


def _form(lang: str, message: str, status: int = 200) -> Response:
    esc = html_text.escape
    body = f"""<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{esc(t("editor.title", lang))}</title><link rel="stylesheet" href="/assets/style.css"></head>
<body class="editor-sign-in"><form method="post" action="/editor?lang={lang}">
<h1>{esc(t("editor.title", lang))}</h1><p>{esc(t("editor.why", lang))}</p>
<p class="bad">{esc(message)}</p>
<label>{esc(t("editor.name", lang))} <input name="name" required maxlength="60" autocomplete="name"></label>
<label>{esc(t("editor.secret", lang))} <input name="secret" type="password" required autocomplete="current-password"></label>
<button type="submit">{esc(t("editor.sign_in", lang))}</button> <a href="/">{esc(t("editor.back", lang))}</a>
</form></body></html>"""
    return Response(body, status=status, mimetype="text/html")


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")
