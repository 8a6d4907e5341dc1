"""Failures are logged on the server and never shown to the client."""
import logging

from dashboard.app import create_app


def test_an_exception_is_logged_and_the_client_sees_a_plain_message(store, caplog):
    app = create_app(store)

    @app.server.route("/fail")
    def fail():
        return {"x": 1 / 0}

    with caplog.at_level(logging.ERROR, logger="atlas"):
        resp = app.server.test_client().get("/fail")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 500 and resp.mimetype == "text/plain"
    assert "ZeroDivisionError" not in body and "Traceback" not in body and "logged" in body
    assert any("ZeroDivisionError" in (r.exc_text or "") for r in caplog.records)
    assert resp.headers["X-Frame-Options"] == "DENY"  # headers on errors too
