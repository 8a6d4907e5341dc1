"""Viewers read, editors write: on a shared server only a signed-in editor imports or removes."""

import base64
import json
import os

import pytest

from dashboard import editors, ids
from layers import user_store
from tests.dash_calls import call
from tests.test_imports import GOOD, HEADER

SECRET = "correct horse battery staple"


@pytest.fixture(scope="module")
def shared(store):
    """The app as `make serve` builds it, with an editor secret set."""
    from dashboard.app import create_app

    old = os.environ.get(editors.TOKEN_ENV)
    os.environ[editors.TOKEN_ENV] = SECRET
    try:
        return create_app(store, editors.SIGNED_IN)
    finally:
        os.environ.pop(editors.TOKEN_ENV) if old is None else os.environ.update({editors.TOKEN_ENV: old})


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    return tmp_path


def _upload(client, component=ids.UPLOAD, headers=None):
    contents = "data:text/csv;base64," + base64.b64encode(f"{HEADER}\n{GOOD}\n".encode()).decode()
    return call(
        None,
        ids.UPLOAD_STATUS,
        {f"{component}.contents": contents, f"{component}.filename": "f.csv", f"{ids.LANG}.value": "en"},
        f"{component}.contents",
        client=client,
        headers=headers,
    )


def _upload_shown(client) -> dict:
    """Which upload box the page a client opens shows: import or preview."""
    layout = client.get("/_dash-layout").get_data(as_text=True)
    shown = {}
    for cid in (ids.UPLOAD, ids.PREVIEW):
        at = layout.index(f'"id":"{cid}"') if f'"id":"{cid}"' in layout else layout.index(f'"id": "{cid}"')
        props = layout[max(0, layout.rfind('"props"', 0, at)) : at + 400]
        shown[cid] = '"display":"none"' not in props.replace(" ", "")
    return shown


def _sign_in(client, secret=SECRET, name="Wang Fang", origin=None):
    headers = {"Origin": origin} if origin else {}
    return client.post("/editor", data={"name": name, "secret": secret}, headers=headers)


def test_a_viewer_sees_only_the_preview_and_cannot_import(shared, data_dir):
    client = shared.server.test_client()
    assert _upload_shown(client) == {ids.UPLOAD: False, ids.PREVIEW: True}
    refused = _upload(client)
    assert refused.status_code == 403 and b"editor" in refused.data
    previewed = _upload(client, ids.PREVIEW)
    assert previewed.status_code == 200 and b"Preview" in previewed.data
    assert user_store.current().imports().empty


def test_a_wrong_secret_or_no_name_is_refused(shared, data_dir):
    client = shared.server.test_client()
    assert _sign_in(client, secret="guess").status_code == 403
    assert _sign_in(client, name=" ").status_code == 403
    assert _upload(client).status_code == 403


def test_an_editor_signs_in_imports_is_recorded_and_signs_out(shared, data_dir):
    client = shared.server.test_client()
    resp = _sign_in(client)
    assert resp.status_code == 302
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert _upload_shown(client) == {ids.UPLOAD: True, ids.PREVIEW: False}
    done = _upload(client)
    assert done.status_code == 200 and b"Imported 1 figure" in done.data
    assert user_store.current().imports()["imported_by"][0].startswith("Wang Fang (editor")
    client.post("/editor/sign-out")
    assert _upload(client).status_code == 403


def test_a_post_from_another_origin_is_refused(shared, data_dir):
    client = shared.server.test_client()
    assert _sign_in(client, origin="http://evil.example").status_code == 403
    _sign_in(client)
    assert _upload(client, headers={"Origin": "http://evil.example"}).status_code == 403
    assert _upload(client, headers={"Origin": "http://localhost"}).status_code == 200  # its own origin
    # What a browser sends: Sec-Fetch-Site decides, whatever Origin says (null under no-referrer).
    assert _upload(client, headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert _upload(client, headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-site"}).status_code == 403
    assert _upload(client, headers={"Origin": "null"}).status_code == 403
    assert _upload(client, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_without_a_secret_nobody_edits_a_shared_server(store, data_dir, monkeypatch):
    from dashboard.app import create_app

    monkeypatch.delenv(editors.TOKEN_ENV, raising=False)
    client = create_app(store, editors.SIGNED_IN).server.test_client()
    assert _sign_in(client, secret="").status_code == 403
    assert _upload(client).status_code == 403


def test_one_user_on_loopback_edits_without_signing_in(app, data_dir):
    client = app.server.test_client()  # the suite's app is built as `make run` builds it
    assert _upload_shown(client) == {ids.UPLOAD: True, ids.PREVIEW: False}
    assert "单用户模式" in json.dumps(json.loads(client.get("/_dash-layout").data), ensure_ascii=False)
    done = _upload(client)
    assert done.status_code == 200 and b"Imported 1 figure" in done.data
    assert client.get("/editor").status_code == 302
