"""The map's boundaries as static, cacheable GeoJSON: made once, fetched once."""

from __future__ import annotations

import hashlib

from dash import Dash
from flask import Response, abort, request

from dashboard.figures import GEO_URL
from layers import map_layers
from layers.store import Store


def serve_geojson(app: Dash, store: Store) -> None:
    payloads = {}
    for layer in map_layers.SERVED:
        body = store.geojson(layer).encode("utf-8")
        payloads[layer] = (body, hashlib.sha256(body).hexdigest()[:16])

    @app.server.route(GEO_URL.format("<layer>"))
    def geojson(layer):
        if layer not in payloads:
            abort(404)
        body, etag = payloads[layer]
        if request.if_none_match.contains(etag):
            return Response(status=304)
        resp = Response(body, mimetype="application/geo+json")
        resp.set_etag(etag)
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp
