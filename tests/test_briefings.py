"""Briefings, languages and exports without a browser: files, parsing, numbers, downloads."""

import io
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import numbers, slides
from dashboard.export import drawing
from dashboard.page import Page
from dashboard.view import View
from layers import features as lf

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def page(store):
    return Page.make(store)


def test_every_shipped_briefing_loads_and_each_slide_is_a_clean_view(page):
    briefings, errors = slides.load_all(page.parse)
    assert errors == []
    assert {"ports-and-sea", "city-targets", "pilot-zones"} <= set(briefings)
    for b in briefings.values():
        assert b.title["zh"] and b.title["en"] and b.title["zh"] != b.title["en"]
        for s in b.slides:
            assert s.title["zh"] != s.title["en"] and s.note["en"]
            assert page.parse(s.view)[1] == []


@pytest.mark.parametrize(
    "text,words",
    [
        ("title: x\nslides: [", "not readable YAML"),
        ("title: x\n", "needs a title and a list of slides"),
        ("title: x\nslides:\n  - title: a\n    view: '?layers=ports,secret'\n", "slide 1: the view has parts"),
        ("title: x\nslides:\n  - title: a\n    view: '?brief=other'\n", "slide 1: the view has parts"),
        ("title: x\nslides:\n  - title: {en: only English}\n    view: ''\n", "slide 1, title"),
        ("title: x\nslides:\n  - title: a\n    view: 3\n", "slide 1: needs title, note and view"),
    ],
)
def test_a_broken_briefing_is_named_and_the_others_still_load(tmp_path, page, text, words):
    (tmp_path / "good.yaml").write_text("title: 好\nslides:\n  - title: 一\n    view: '?view=target'\n", "utf-8")
    (tmp_path / "bad.yaml").write_text(text, "utf-8")
    briefings, errors = slides.load_all(page.parse, tmp_path)
    assert list(briefings) == ["good"]
    assert len(errors) == 1 and errors[0].startswith("bad.yaml") and words in errors[0], errors


@pytest.mark.parametrize(
    "query,kept,dropped",
    [
        ("?lang=en&mode=present", {"lang": "en", "mode": "present"}, []),
        ("?lang=fr", {}, ["lang=fr"]),
        ("?brief=ports-and-sea&slide=2", {"brief": "ports-and-sea", "slide": 2}, []),
        ("?brief=ports-and-sea&slide=99", {"brief": "ports-and-sea"}, ["slide=99"]),
        ("?brief=ports-and-sea&slide=٣", {"brief": "ports-and-sea"}, ["slide=٣"]),
        ("?slide=2", {}, ["slide=2"]),
        ("?brief=../etc/passwd", {}, ["brief=../etc/passwd"]),
    ],
)
def test_presentation_keys_in_the_url(page, query, kept, dropped):
    view, ignored = page.parse(query)
    assert {k: getattr(view, k) for k in kept} == kept and ignored == dropped


def test_no_layers_at_all_is_kept_in_the_url():
    assert View().but(layers=[]).query() == "?layers="
    assert View.parse("?layers=", {})[0].layers == ()


@pytest.mark.parametrize(
    "value,unit,decimals,expected",
    [
        (12400.56, "亿元", 0, "1,240.1"),  # 亿元 -> billion yuan
        (1050.0, "万人", 1, "10.5"),  # 万人 -> million people
        (18.0, "亿吨", 1, "1,800"),  # 亿吨 -> million tonnes
        (79.0, "%", 1, "79"),  # rates unchanged
    ],
)
def test_english_counts_in_millions_and_billions_chinese_in_wan_and_yi(value, unit, decimals, expected):
    assert numbers.fmt_with_cmp(value, "", decimals, "en", unit) == expected
    assert numbers.fmt_with_cmp(value, "", decimals, "zh", unit) == numbers.fmt(value, decimals)


def test_every_text_key_exists_in_both_languages():
    from dashboard.i18n import TEXT

    assert set(TEXT["zh"]) == set(TEXT["en"])


def test_data_exports_hold_the_views_places_with_their_sources(app, store):
    client = app.server.test_client()
    query = "?layers=ports,zones&city=371100"
    expected = store.features[lf.matches(store.features, lf.Criteria(layers=("ports", "zones"), cities=("371100",)))]
    gj = json.loads(client.get(f"/export/view.geojson{query}").data)
    assert {f["properties"]["id"] for f in gj["features"]} == set(expected["id"])
    assert all(f["properties"]["quote"] and f["properties"]["coord_source"] for f in gj["features"])
    resp = client.get(f"/export/view.gpkg{query}")
    assert resp.headers["Content-Disposition"].endswith(".gpkg")
    gpkg = gpd.read_file(io.BytesIO(resp.data), layer="places")
    assert set(gpkg["id"]) == set(expected["id"]) and gpkg.crs.to_epsg() == 4326
    assert {"plan_ref", "precision", "coord_quote"} <= set(gpkg.columns)
    table = pd.read_csv(
        io.BytesIO(client.get("/export/view.csv?indicator=urban_district_population").data), encoding="utf-8-sig"
    )
    assert set(table["indicator"]) == {"urban_district_population"} and table["source"].notna().all()


def test_an_export_of_a_bad_view_says_what_it_ignored_and_a_bad_kind_is_refused(app):
    client = app.server.test_client()
    resp = client.get("/export/view.geojson?layers=ports&evil=<b>")
    assert resp.status_code == 200 and "evil" in resp.headers["X-Atlas-Ignored"]
    assert len(json.loads(resp.data)["features"]) == 18  # the rest of the view is kept
    assert client.get("/export/view.exe").status_code == 404


def test_the_legend_of_an_export_is_the_maps_legend(page):
    d = drawing(page, page.view("?indicator=urban_district_population&view=target&layers=ports").but(lang="en"))
    heading, rows = d.heading, d.rows
    assert heading.startswith("Urban-district population")
    texts = [text for _, text in rows]
    ports = page.store.features[page.store.features["layer"] == "ports"]
    assert f"Ports and port areas ({len(ports)})" in texts and "No data" in texts
    # Those known only by their city are counted on the cities' discs, which the legend names.
    assert texts[-1].startswith("Places known only by city") and texts[-1].endswith(
        f"({(ports['precision'] == 'city').sum()})"
    )
    assert any(color is None and "lower bounds" in text for color, text in rows)  # targets are “over”


def test_the_command_line_exports_a_whole_briefing(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard.export",
            "--briefing",
            "pilot-zones",
            "--out",
            str(tmp_path),
            "--formats",
            "html,geojson",
            "--lang",
            "en",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [f"pilot-zones-{n:02d}.{k}" for n in range(1, 5) for k in ("geojson", "html")]
    html = (tmp_path / "pilot-zones-01.html").read_text("utf-8")
    assert "The integration pilot zones" in html and "<script src=" not in html
    bad = subprocess.run(
        [sys.executable, "-m", "dashboard.export", "--briefing", "nope", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "no briefing 'nope'" in bad.stderr


def test_exports_of_the_docking_plan_carry_its_links(page):
    from dashboard.export import static_figure, to_html

    view = page.view("?plan=docking&city=370800&layers=corridors")
    links = page.links(view)
    assert len(links) > 0
    fig = static_figure(page, view)
    from dashboard import feature_layers as fl

    drawn = [
        tr for tr in fig.data if tr.type == "scattermap" and tr.line.color == fl.FLOW_COLOR and tr.visible is not False
    ]
    assert len(drawn) == 1 and list(drawn[0].lon).count(None) == len(links)  # one arc each
    assert any("对接联系" in str(text) for _, text in drawing(page, view).rows)
    html = to_html(page, view).decode("utf-8")
    assert html.count(f'"color": "{fl.FLOW_COLOR}"') == len(links)
