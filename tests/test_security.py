"""Failures are logged on the server and never shown to the client; malformed requests get a
plain 400; header values made from a request are safe."""

import json
import logging
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import ids, security
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


# ---- malformed callback bodies: a plain 400, never a 500


def _body(app, output_id=None, key=None):
    """A well-formed request for a real callback: the one named by `key`, or the
    first whose outputs include `output_id`."""
    key = key or next(k for k, v in app.callback_map.items() if "callback" in v and f"{output_id}." in k)
    cb = app.callback_map[key]
    declared = cb["output"] if isinstance(cb["output"], list) else [cb["output"]]
    outputs = [_sent(app, o) for o in declared]
    body = {
        "output": key,
        "outputs": outputs if isinstance(cb["output"], list) else outputs[0],
        "inputs": [dict(i, value=None) for i in cb["inputs"]],
        "state": [dict(s, value=None) for s in cb["state"]],
        "changedPropIds": [f"{cb['inputs'][0]['id']}.{cb['inputs'][0]['property']}"],
    }
    return body


def _sent(app, output):
    """An output as the page sends it; a pattern's (an id with ALL in it) as the list of the
    plain page's components it matches."""
    cid, prop = output.component_id, output.component_property
    if not isinstance(cid, dict):
        return {"id": cid, "property": prop}
    fixed = {k: v for k, v in cid.items() if isinstance(v, str)}
    layout = app.layout() if callable(app.layout) else app.layout
    found = [getattr(c, "id", None) for c in layout._traverse()]
    return [
        {"id": f, "property": prop}
        for f in found
        if isinstance(f, dict) and f.keys() == cid.keys() and fixed.items() <= f.items()
    ]


def test_a_well_formed_callback_body_reaches_its_callback(app):
    body = _body(app, ids.COMPARE_BOX)  # the second map, asked for
    body["inputs"][0]["value"] = {"vs": "target", "indicator": "gdp", "scheme": "natural_breaks"}
    body["state"][1]["value"] = "zh"
    resp = app.server.test_client().post("/_dash-update-component", json=body)
    assert resp.status_code == 200 and ids.COMPARE_BOX in resp.get_json()["response"]


def test_a_new_language_answers_the_parts_around_the_map_and_its_texts(app):
    body = _body(app, ids.MAP_TEXTS)
    body["inputs"][0]["value"] = "en"
    body["state"] = [dict(body["state"][0], value="?indicator=gdp"), dict(body["state"][1], value="zh")]
    resp = app.server.test_client().post("/_dash-update-component", json=body)
    answer = resp.get_json()["response"]
    parts = [json.loads(k)["part"] for k in answer if k.startswith("{")]
    assert sorted(parts) == ["controls", "header", "legend", "side", "tabs"]  # the map is in none
    assert "Qingdao" in answer[ids.MAP_TEXTS]["data"]["names"]["names"]
    assert answer[ids.BODY]["lang"] == "en"


def test_a_pattern_matching_callback_passes_the_shape_check(app):
    """The remove buttons' callback: its input is every {"type": "remove-import", "index": ALL}."""
    output = next(
        k
        for k in app.callback_map
        if f"{ids.IMPORT_LIST}.children" in k and ids.REMOVE_IMPORT in str(app.callback_map[k]["inputs"])
    )
    cb = app.callback_map[output]
    clicked = [{"id": {"index": 1, "type": ids.REMOVE_IMPORT}, "property": "n_clicks", "value": 1}]
    body = {
        "output": output,
        "outputs": [{"id": o.component_id, "property": o.component_property} for o in cb["output"]],
        "inputs": [clicked],
        "state": [dict(s, value=None) for s in cb["state"]],
        "changedPropIds": ['{"index":1,"type":"remove-import"}.n_clicks'],
    }
    assert security.callback_problem(body, app.callback_map) is None
    body["inputs"] = [[{"id": "remove-import", "property": "n_clicks"}]]  # not a pattern's match
    assert security.callback_problem(body, app.callback_map) == "callback inputs do not match the callback"


def _refused(app, body=None, data=None):
    resp = app.server.test_client().post(
        "/_dash-update-component", json=body, data=data, content_type="application/json"
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400, text
    assert "Traceback" not in text and len(text) < 200
    return text


def test_json_nested_100000_deep_is_refused(app):
    _refused(app, data="[" * 100_000 + "]" * 100_000)  # the parser's RecursionError
    _refused(app, data='{"output": "bar.figure", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")


# The filters' callback: five outputs, ten inputs and a state.
def test_a_real_callback_with_values_nested_too_deeply_is_refused(app):
    body = _body(app, ids.GRID)
    deep = "x"
    for _ in range(security.MAX_DEPTH):
        deep = {"a": deep}
    body["state"][0]["value"] = deep  # deep enough for the bound, far from the parser's limit
    assert "nested" in _refused(app, body)


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b.update(inputs=b["inputs"][:-1]),  # one input short (IndexError in Dash)
        lambda b: b.update(inputs=b["inputs"] + b["inputs"][:1]),  # one too many
        lambda b: b.update(inputs=["indicator.value", "view.value", "scheme.value"]),  # not objects (TypeError)
        lambda b: b.update(inputs=[None, None, None]),
        lambda b: b["inputs"][0].pop("id"),
        lambda b: b["inputs"][0].pop("property"),
        lambda b: b["inputs"][0].update(id="lang"),  # another component's value
        lambda b: b["inputs"][0].update(property=["value"]),
        lambda b: b.update(state=[]),
        lambda b: b.update(state={"id": "lang", "property": "value"}),
        lambda b: b.pop("inputs"),
        lambda b: b.update(outputs={"id": "feature-grid", "property": "rowData"}),  # one object for five outputs
        lambda b: b.update(outputs=b["outputs"][:2]),
        lambda b: b.update(outputs=[{"id": "bar", "property": "figure"}] * 5),
        lambda b: b.update(changedPropIds="indicator.value"),
        lambda b: b.update(changedPropIds=[{"a": 1}]),
    ],
)
def test_a_real_output_with_wrongly_shaped_inputs_or_outputs_is_refused(app, change):
    body = _body(app, ids.GRID)
    body["inputs"][0]["value"], body["state"][0]["value"] = ["ports"], "zh"
    change(body)
    _refused(app, body)


@pytest.mark.parametrize(
    "prop,value", [("n_clicks", "1"), ("n_clicks", [1]), ("search", 5), ("contents", ["data:"]), ("filename", {})]
)
def test_each_controls_value_must_be_of_its_kind(app, prop, value):
    key, cb = next(
        (k, v)
        for k, v in app.callback_map.items()
        if "callback" in v and any(i["property"] == prop for i in v["inputs"] + v["state"])
    )
    body = _body(app, key=key)
    for item in body["inputs"] + body["state"]:
        if item["property"] == prop:
            item["value"] = value
    _refused(app, body)


def test_a_clientside_callback_cannot_be_posted(app):
    key = next(k for k, v in app.callback_map.items() if "callback" not in v)
    _refused(
        app,
        {"output": key, "outputs": {"id": key.split(".")[0], "property": "title"}, "inputs": [], "changedPropIds": []},
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_no_values_in_a_well_shaped_body_make_a_500(app, data):
    """Any JSON in any input or state of any server-side callback: an answer, or a plain 400."""
    key = data.draw(st.sampled_from(sorted(k for k, v in app.callback_map.items() if "callback" in v)))
    cb = app.callback_map[key]
    body = _body(app, key=key)
    for item in body["inputs"] + body["state"]:
        item["value"] = data.draw(JSON)
    changed = data.draw(st.sampled_from(cb["inputs"]))
    body["changedPropIds"] = [f"{changed['id']}.{changed['property']}"]
    resp = app.server.test_client().post("/_dash-update-component", json=body)
    assert resp.status_code in (200, 204, 400), resp.get_data(as_text=True)[:300]


# ---- header values made from a request


@pytest.mark.parametrize(
    "query,shown",
    [
        ("?sel=%00%ff", "sel=%00%EF%BF%BD"),  # NUL, and an invalid byte decoded as U+FFFD
        ("?sel=a%0d%0aSet-Cookie:%20x=1", "sel=a%0D%0ASet-Cookie: x=1"),  # CR LF: no header injected
        ("?%0a=1", "%0A"),
        ("?sel=港口", "sel=%E6%B8%AF%E5%8F%A3"),
    ],
)
def test_header_values_from_the_query_are_percent_encoded(app, query, shown):
    resp = app.server.test_client().get(f"/export/view.csv{query}")
    assert resp.status_code == 200
    ignored = resp.headers["X-Atlas-Ignored"]
    assert ignored == shown and "Set-Cookie" not in resp.headers
    assert all(0x20 <= ord(c) < 0x7F for c in ignored)
    assert unquote(ignored).startswith(unquote(shown))
