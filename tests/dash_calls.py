"""Callbacks posted as the browser posts them, found by their output and input."""

import json

from dashboard import ids


def dependency(app, output_id, input_id):
    client = app.server.test_client()
    return dependency_in(client, output_id, input_id)


def dependency_in(client, output_id, input_id):
    for dep in json.loads(client.get("/_dash-dependencies").data):
        if output_id in dep["output"] and any(i["id"] == input_id for i in dep["inputs"]):
            return dep
    raise AssertionError(f"no callback from {input_id} to {output_id}")


def call(app, output_id, values: dict, changed: str, client=None, headers=None):
    """POST a callback as the browser does; `values` maps 'id.prop' to the input value
    (the language is Chinese unless `values` says otherwise). `client`: one that keeps a session."""
    client = client or app.server.test_client()
    dep = dependency_in(client, output_id, changed.split(".")[0])
    return client.post("/_dash-update-component", json=body(dep, values, changed), headers=headers or {})


def body(dep: dict, values: dict, changed: str) -> dict:
    """The request body the browser sends for one callback of /_dash-dependencies."""
    values = {f"{ids.LANG}.value": "zh", **values}
    outputs = []
    for part in dep["output"].strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop})
    inputs = [
        {"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
        for i in dep["inputs"]
    ]
    state = [
        {"id": i["id"], "property": i["property"], "value": values.get(f"{i['id']}.{i['property']}")}
        for i in dep.get("state", [])
    ]
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [changed],
        "state": state,
    }
