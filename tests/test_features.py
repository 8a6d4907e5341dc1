"""The plan's places: every 专栏 item present, quotes verbatim, points where they claim to be."""

import itertools
import re

import pandas as pd
import pytest
import shapely

from geodata import features as gf
from layers import records

KM = 1 / 111.0  # degrees of latitude per km; enough for distances of a few km here


def _normalise(text):
    return re.sub(r"\s+", "", text.replace("\u00a0", " "))


def _zhuanlan(seed_text):
    """(n, chapter, group, k, name) of every item in 专栏2–5, read straight from the plan."""
    text = seed_text.replace("\u00a0", " ")
    items = []
    for n in (2, 3, 4, 5):
        start = text.index(f"专栏{n}")
        chapter = re.findall(r"^(第[一二三四五六七八九十]+章)", text[:start], re.MULTILINE)[-1]
        block = text[start : text.index("\n第", start)]
        for line in block.splitlines()[1:]:
            if ":" not in line:
                continue
            group, body = (s.strip() for s in line.split(":", 1))
            body = re.sub(r"等。\s*$", "", body.strip())
            parts = re.split(r"\((\d+)\)", body)[1:]
            items += [(n, chapter, group, int(k), name.strip()) for k, name in zip(parts[::2], parts[1::2])]
    return items


def test_every_zhuanlan_item_is_in_the_projects_layer(store, seed_text):
    items = _zhuanlan(seed_text)
    assert len(items) == 101  # the count the plan's four boxes add up to
    projects = store.features[store.features["layer"] == "projects"]
    by_ref = dict(zip(projects["plan_ref"], projects["name_zh"]))
    missing = [
        f"专栏{n}·{g}({k}) {name}" for n, ch, g, k, name in items if by_ref.get(f"{ch}·专栏{n}·{g}({k})") != name
    ]
    assert not missing, f"{len(missing)} items missing or misnamed, e.g. {missing[:3]}"


def _jiaodong_refs(store):
    """(id, plan_ref, quote) of every reference to the Jiaodong plan: a row's own or its `also`."""
    f = store.features
    refs = [(r.id, r.plan_ref, r.quote) for r in f[f["plan"] == "jiaodong-2021"].itertuples()]
    for r in f[f["also"] != ""].itertuples():
        plan, ref, quote = gf.split_also(r.also)
        if plan == "jiaodong-2021":
            refs.append((r.id, ref, quote))
    return refs


def test_every_quote_is_the_plans_own_words(store, seed_text):
    plan = _normalise(seed_text)
    refs = _jiaodong_refs(store)
    assert len(refs) > len(store.features[store.features["plan"] == "jiaodong-2021"])  # `also` included
    wrong = [i for i, _, quote in refs if _normalise(quote) not in plan]
    assert not wrong, f"quotes not found verbatim in the plan: {wrong[:5]}"


def test_plan_reference_chapter_matches_where_the_quote_stands(store, seed_text):
    text = seed_text.replace("\u00a0", " ")
    body = text.index("第一章  发展背景", text.index("前  言", text.index("第十三章")))
    heads = [
        (m.start(), m.group(1))
        for m in re.finditer(r"^(第[一二三四五六七八九十]+章)", text, re.MULTILINE)
        if m.start() >= body
    ]
    wrong = []
    for r in pd.DataFrame(_jiaodong_refs(store), columns=["id", "plan_ref", "quote"]).itertuples():
        at = text.replace(" ", "").find(r.quote.replace(" ", ""))
        pos = text.find(r.quote[:12], body)
        chapter = [h for p, h in heads if p <= pos][-1] if pos >= 0 else None
        if at < 0 or chapter is None or not r.plan_ref.startswith(chapter):
            wrong.append((r.id, r.plan_ref, chapter))
    assert not wrong, wrong[:5]


def test_every_feature_names_its_reference_and_coordinate_source(store):
    f = store.features
    assert len(f) >= 220
    assert (f["plan_ref"].str.len() > 0).all() and (f["coord_source"].str.len() > 0).all()
    assert set(f["layer"]) == set(records.FEATURE_LAYERS)


def _units(store):
    """Every county and city of Shandong: Jiaodong's and the other eleven's."""
    counties = pd.concat([store.counties, store.context_counties]).set_index("adcode").geometry
    others = store.context[store.context["kind"] == "shandong_city"].rename(columns={"code": "adcode"})
    cities = pd.concat([store.cities, others]).set_index("adcode").geometry
    return counties, cities


def test_points_lie_in_the_county_or_city_they_claim(store):
    counties, cities = _units(store)
    land_points = store.features[
        (store.features.geom_type == "Point") & ~store.features["layer"].isin(["ports", "bays"])
    ]
    far = []
    for r in land_points.itertuples():
        # Sourced sites are given to the minute at worst: allow 1 km; derived points must be inside.
        slack = 1 * KM if r.precision == "site" else 0
        if r.county_adcode:
            distance = counties[r.county_adcode].distance(r.geometry)
        elif r.city_adcodes:
            distance = min(cities[c].distance(r.geometry) for c in r.city_adcodes.split(";"))
        else:
            continue  # named by a context token only (a Jiaodong port at Dongying's point)
        if distance > slack:
            far.append((r.id, r.county_adcode or r.city_adcodes))
    assert not far, far


def test_sited_ports_and_bays_are_on_the_coast(store):
    land = shapely.union_all([*store.cities.geometry, *store.context.geometry])
    coast = land.boundary
    sited = store.features[store.features["layer"].isin(["ports", "bays"]) & (store.features["precision"] == "site")]
    assert len(sited) >= 5
    inland = [
        (r.id, round(coast.distance(r.geometry) / KM, 1))
        for r in sited.itertuples()
        if land.contains(r.geometry) and coast.distance(r.geometry) > 3 * KM
    ]
    assert not inland, inland


# A coastal facility: every place of the ports and bays layers, LNG terminals, desalination
# plants and the crude-oil reserves at the ports (not Yantai's gas supply base, sited nowhere).
COASTAL_PROJECTS = {"lng", "desalination"}


def test_no_coastal_facility_is_drawn_inland(store):
    land = shapely.union_all([*store.cities.geometry, *store.context.geometry])
    coast = land.boundary
    f = store.features
    coastal = f[
        (
            f["layer"].isin(["ports", "bays"])
            | f["category"].isin(COASTAL_PROJECTS)
            | f["name_zh"].str.contains("原油储备")
        )
        & (f.geom_type == "Point")
    ]
    assert len(coastal) >= 45
    inland = [
        (r.id, r.precision, round(coast.distance(r.geometry) / KM, 1))
        for r in coastal.itertuples()
        if land.contains(r.geometry) and coast.distance(r.geometry) > 3 * KM
    ]
    assert not inland, inland


def test_ports_and_bays_lie_in_the_county_they_claim(store):
    counties, _ = _units(store)
    f = store.features
    placed = f[f["layer"].isin(["ports", "bays"]) & (f["county_adcode"] != "") & f.geometry.notna()]
    assert {"port-huangdao", "port-dongjiakou"} <= set(placed["id"])
    far = [
        (r.id, r.county_adcode) for r in placed.itertuples() if counties[r.county_adcode].distance(r.geometry) > 1 * KM
    ]
    assert not far, far
    assert placed.set_index("id").loc["port-huangdao", "county_adcode"] == "370211"  # 黄岛区, not 市南区
    _, cities = _units(store)
    by_city = f[(f["layer"] == "ports") & (f["county_adcode"] == "") & f.geometry.notna()]
    far = [
        (r.id, r.city_adcodes)
        for r in by_city.itertuples()  # a port may stand on a pier
        if min(cities[c].distance(r.geometry) for c in r.city_adcodes.split(";")) > 3 * KM
    ]
    assert not far, far


def test_lines_from_a_port_start_at_that_port(store):
    f = store.features.set_index("id")
    for line in ("pipe-dongjiakou-dongying", "pipe-dongjiakou-yishui-zibo", "road-mingcun-dongjiakou"):
        end = shapely.get_point(f.loc[line, "geometry"], 0 if "pipe" in line else -1)
        assert end.distance(f.loc["port-dongjiakou", "geometry"]) < 1e-9, line


SEAROUTE = "searoute 1.6.0 (Apache-2.0): searoute/data/ports.geojson"


def test_registry_coordinates_are_the_registrys_own(store):
    """A row citing the port registry quotes its record, and is drawn exactly there."""
    import json
    from importlib import metadata, resources

    assert metadata.version("searoute") == SEAROUTE.split()[1]
    ports = json.loads((resources.files("searoute") / "data" / "ports.geojson").read_text(encoding="utf-8"))
    registry = {p["properties"]["port"]: p for p in ports["features"]}
    rows = store.features[store.features["coord_source"] == SEAROUTE]
    assert len(rows) >= 6
    for r in rows.itertuples():
        quoted = json.loads(r.coord_quote)
        record = registry[quoted["port"]]
        assert quoted["name"] == record["properties"]["name"] and quoted["cty"] == record["properties"]["cty"]
        assert quoted["coordinates"] == record["geometry"]["coordinates"], r.id
        assert (r.geometry.x, r.geometry.y) == tuple(record["geometry"]["coordinates"]), r.id
        assert r.precision == "site", r.id


AIRPORTS = "airportsdata 20260905 (MIT): airportsdata/airports.csv"


def test_airport_coordinates_are_the_registrys_own(store):
    """A row citing the airport registry quotes its line of airports.csv, and is drawn exactly there."""
    import csv
    from importlib import metadata, resources

    assert metadata.version("airportsdata") == AIRPORTS.split()[1]
    lines = (resources.files("airportsdata") / "airports.csv").read_text(encoding="utf-8").splitlines()
    header = next(csv.reader(lines[:1]))
    rows = store.features[store.features["coord_source"] == AIRPORTS]
    assert set(rows["id"]) >= {"airport-jiaodong", "airport-yantai", "airport-weifang", "airport-weihai"}
    for r in rows.itertuples():
        assert r.coord_quote in lines, r.id  # the record, verbatim
        record = dict(zip(header, next(csv.reader([r.coord_quote]))))
        assert record["country"] == "CN" and record["subd"] == "Shandong", r.id
        assert (r.geometry.x, r.geometry.y) == (float(record["lon"]), float(record["lat"])), r.id
        assert r.precision == "site", r.id


def test_every_airport_the_plans_name_and_the_registry_lists_is_at_its_record(store):
    """Both plans' airports of today, the docking plan's 济南、青岛机场 (task 11) among them."""
    f = store.features.set_index("id")
    icao = {
        "airport-jiaodong": "ZSQD",
        "airport-yantai": "ZSYT",
        "airport-weifang": "ZSWF",
        "airport-weihai": "ZSWH",
        "dk-airport-jinan": "ZSJN",
    }
    for place, code in icao.items():
        r = f.loc[place]
        assert r["coord_source"] == AIRPORTS and r["coord_quote"].startswith(f'"{code}",'), place
        assert r["precision"] == "site", place
    # Qingdao's airport is one row for both plans: the docking task is its second reference.
    assert f.loc["airport-jiaodong", "task"] == 11
    docking = f[(f["plan"] == "shandong-docking-2025") & (f["category"] == "airport")]
    assert list(docking.index) == ["dk-airport-jinan"]


def test_every_place_is_graded_by_who_gives_its_position(store):
    """The grades the store holds follow the rule; a mirror is never passed off as better."""
    f = store.features
    assert set(f["coord_grade"]) <= set(records.COORD_GRADES)
    grades = dict(zip(f["id"], f["coord_grade"]))
    wrong = [(r.id, p) for r in f.itertuples() if (p := gf.grade_problem(r.coord_source, r.coord_grade, grades.get))]
    assert not wrong, wrong[:5]
    by_host = f.assign(host=f["coord_source"].map(gf.host_of))
    assert (by_host[by_host["host"].isin(gf.MIRROR_HOSTS)]["coord_grade"] == "mirror").all()
    assert (f[f["coord_source"].isin(gf.REGISTRIES)]["coord_grade"] == "registry").all()
    assert (f[f["precision"] == "unplaced"]["coord_grade"] == "none").all()


def test_zones_are_the_union_of_their_counties(store):
    counties = store.counties.set_index("adcode").geometry
    src = records.read_csv(
        gf.__file__.replace("features.py", "sources/features.csv"), records.FEATURE_SOURCES
    ).set_index("id")
    for r in store.features[store.features["layer"] == "zones"].itertuples():
        codes = [t.split(":")[1] for t in src.loc[r.id, "where"].split(";")]
        expected = shapely.union_all([counties[c] for c in codes])
        assert shapely.equals(r.geometry, expected), r.id
        assert r.precision == "county"


def test_lines_are_schematic_and_have_length(store):
    lines = store.features[store.features.geom_type == "LineString"]
    assert len(lines) >= 40
    assert (lines["precision"] == "schematic").all()
    assert (shapely.length(lines.geometry.to_numpy()) > 0.01).all()  # degrees


def test_unplaced_features_have_no_geometry_and_say_so(store):
    unplaced = store.features[store.features["precision"] == "unplaced"]
    assert unplaced.geometry.isna().all()
    assert (store.features[store.features["precision"] != "unplaced"].geometry.notna()).all()


@pytest.mark.parametrize(
    "ref,chapter",
    [("前言", 0), ("第三章第一节", 3), ("第十章·专栏5·海水淡化工程(1)", 10), ("第十二章第四节", 12), ("第二十章", 20)],
)
def test_chapter_of(ref, chapter):
    assert gf.chapter_of(ref) == chapter


# ---- resolving place tokens: each bad row stops the build, named


def _sources(**over):
    row = {c: "" for c in records.FEATURE_SOURCES.names}
    row.update(
        id="x",
        plan="jiaodong-2021",
        layer="projects",
        shape="point",
        where="county:370211",
        category="park",
        name_zh="某园区",
        name_en="A park",
        city_adcodes="370200",
        plan_ref="第四章第一节",
        quote="q",
        coord_source="规划原文(名称含所在地)",
        coord_grade="plan",
    )
    row.update(over)
    return pd.DataFrame([row])


def _resolve(store, **over):
    counties = store.counties.copy()
    pts = counties.geometry.representative_point()
    counties["label_lon"], counties["label_lat"] = pts.x, pts.y
    return gf.resolve(_sources(**over), counties, store.cities, store.context, "features.csv", store.context_counties)


def test_a_county_point_takes_the_county_and_its_precision(store):
    out = _resolve(store)
    assert out.iloc[0]["precision"] == "county" and out.iloc[0]["county_adcode"] == "370211"
    assert store.counties.set_index("adcode").geometry["370211"].contains(out.geometry.iloc[0])


def test_a_coast_point_is_on_its_units_shore_with_its_precision(store):
    land = shapely.union_all([*store.cities.geometry, *store.context.geometry])
    out = _resolve(store, where="coast:370211").iloc[0]
    assert out["precision"] == "county" and out["county_adcode"] == "370211"
    assert store.counties.set_index("adcode").geometry["370211"].contains(out.geometry)
    assert land.boundary.distance(out.geometry) < 0.01 * KM
    city = _resolve(store, where="coast:370200").iloc[0]
    assert city["precision"] == "city" and city["county_adcode"] == ""


def test_a_gcj02_site_is_shifted_to_wgs84(store):
    gcj = _resolve(store, where="site:36.1,120.3", datum="GCJ02").geometry.iloc[0]
    wgs = _resolve(store, where="site:36.1,120.3", datum="WGS84").geometry.iloc[0]
    shift_m = gcj.distance(wgs) * 111_000
    assert 300 < shift_m < 800 and gcj.x < wgs.x  # GCJ-02 runs east of WGS-84 here


@pytest.mark.parametrize(
    "over,column,words",
    [
        ({"where": "county:379999"}, "where", "unknown county"),
        ({"where": "county:370211;county:370212"}, "where", "exactly one place"),
        ({"shape": "line"}, "where", "two places or more"),
        ({"where": "site:36.1,120.3"}, "datum", "needs its datum"),
        ({"datum": "WGS84"}, "datum", "only a site"),
        ({"where": "county:370602"}, "city_adcodes", "missing 370600"),
        ({"county_adcode": "370602", "where": "city:370200"}, "county_adcode", "not in the declared cities"),
        ({"shape": "area", "where": "site:36.1,120.3", "datum": "WGS84"}, "where", "union of counties"),
        ({"where": "feature:nowhere"}, "where", "unknown feature"),
        ({"where": "coast:370285", "county_adcode": ""}, "where", "has no coast"),  # 莱西市, inland
        ({"where": "coast:370211", "county_adcode": "370212"}, "county_adcode", "differs from the place"),
        ({"where": ""}, "where", "left unplaced"),
        ({"coord_grade": "official"}, "coord_grade", "expected plan"),
        ({"coord_source": "https://en.wikipedia.org/wiki/Laoshan_District"}, "coord_grade", "expected wikipedia"),
        (
            {"coord_source": "https://www.qingdao.gov.cn/x.html", "coord_grade": "news"},
            "coord_grade",
            "expected official",
        ),
        (
            {"coord_source": "https://en.selectshandong.com/x.shtml", "coord_grade": "news"},
            "coord_grade",
            "expected official",
        ),
        (
            {"coord_source": "https://notgov.cn/x.html", "coord_grade": "official"},
            "coord_grade",  # not under gov.cn
            "expected news or trade or aggregator or mirror",
        ),
        (
            {"coord_source": "https://wikizero.com/en/Laizhou_Bay", "coord_grade": "wikipedia"},
            "coord_grade",
            "expected mirror",
        ),
        (
            {"coord_source": "https://news.example.cn/1.html", "coord_grade": "registry"},
            "coord_grade",
            "expected news or trade or aggregator or mirror",
        ),
        (
            {"coord_source": "searoute 1.6.0 (Apache-2.0): searoute/data/ports.geojson", "coord_grade": "official"},
            "coord_grade",
            "expected registry",
        ),
        ({"coord_source": "同 nowhere"}, "coord_grade", "names no place"),
        ({"coord_source": "a book"}, "coord_grade", "no registry, plan marker, place id or URL"),
    ],
)
def test_bad_places_are_named(store, over, column, words):
    with pytest.raises(records.RecordError, match=rf"row 2, column '{column}'.*{words}"):
        _resolve(store, **over)


def test_source_rows_reject_bad_values(tmp_path):
    header = ",".join(records.FEATURE_SOURCES.names)
    good = _sources().iloc[0].to_dict()
    for column, value in [
        ("datum", "WGS-84"),
        ("status", "done"),
        ("where", "county:3702"),
        ("coord_grade", "good"),
        ("plan_ref", "chapter 4"),
        ("layer", "roads"),
    ]:
        row = {**good, column: value}
        path = tmp_path / "f.csv"
        path.write_text(
            header + "\n" + ",".join(row[c] for c in records.FEATURE_SOURCES.names) + "\n", encoding="utf-8"
        )
        with pytest.raises(records.RecordError, match=f"row 2, column '{column}'"):
            records.read_csv(path, records.FEATURE_SOURCES)


def test_english_names_follow_one_convention(store):
    countries = store.context[store.context["kind"] == "country"].set_index("code")["name_en"]
    assert countries["KOR"] == "Republic of Korea" and countries["PRK"] == "Democratic People's Republic of Korea"
    f = store.features
    # 临邑 (a county of Dezhou) and 临沂 (a city) are both "Linyi" in pinyin: the county says whose it is.
    linyi_county = f[f["name_zh"].str.contains("临邑")]
    assert len(linyi_county) and linyi_county["name_en"].str.contains("Linyi County (Dezhou)", regex=False).all()
    assert not f["name_en"].str.contains("Linyi county").any()
    assert not f["name_en"].str.contains("Aerospace Port").any()  # 东方航天港 is the Oriental Spaceport


# ---- the README's account of the places, recomputed from the store


def _readme_section(start: str) -> str:
    from tests.conftest import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text[text.index(start) :]


def test_the_readme_grade_table_is_the_stores(store):
    section = _readme_section("Who gives each position")
    rows = section.splitlines()
    first = next(i for i, ln in enumerate(rows) if ln.startswith("|"))
    lines = list(itertools.takewhile(lambda ln: ln.startswith("|"), rows[first:]))  # the first table
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header == ["layer", *records.COORD_GRADES, "all"]
    table = {}
    for ln in lines[2:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        table[cells[0]] = [int(c) for c in cells[1:]]
    f = store.features
    expected = {
        layer: [int(((f["layer"] == layer) & (f["coord_grade"] == g)).sum()) for g in records.COORD_GRADES]
        for layer in records.FEATURE_LAYERS
    }
    expected = {k: [*v, sum(v)] for k, v in expected.items()}
    expected["all"] = [int((f["coord_grade"] == g).sum()) for g in records.COORD_GRADES] + [len(f)]
    assert table == expected
    bad = int(f["coord_grade"].isin(["mirror", "aggregator"]).sum())
    cited = int((~f["coord_grade"].isin(["plan", "none"])).sum())
    sentence = re.search(
        r"(\d+) of the (\d+) places \(([\d.]+)%\) rest on a mirror or an aggregator, "
        r"(\d+) of the (\d+) that cite",
        section.replace("\n", " "),
    )
    assert sentence, "the README no longer says how many places rest on a mirror"
    assert [int(sentence.group(i)) for i in (1, 2, 4, 5)] == [bad, len(f), bad, cited]
    assert float(sentence.group(3)) == round(100 * bad / len(f), 1)


def test_the_readme_counts_the_jiaodong_plans_places_as_the_store_does(store):
    section = _readme_section("How well the Jiaodong plan's places are placed").replace("\n", " ")
    m = re.search(
        r"\((\d+) places\): (\d+) at a sourced site \((\d+) from the port registry, (\d+) from the "
        r"airport registry;",
        section,
    )
    assert m, "the README no longer counts the places"
    j = store.features[store.features["plan"] == "jiaodong-2021"]
    sites = j[j["precision"] == "site"]
    assert [int(g) for g in m.groups()] == [
        len(j),
        len(sites),
        int((sites["coord_source"] == SEAROUTE).sum()),
        int((sites["coord_source"] == AIRPORTS).sum()),
    ]
    for count, words in [
        ((j["precision"] == "schematic").sum(), "drawn as schematic lines"),
        ((j["precision"] == "unplaced").sum(), "not placed"),
        ((j["precision"] == "city").sum(), "at their city's point or shore"),
        (((j["precision"] == "county") & (j.geom_type == "Point")).sum(), "at their county's point or shore"),
    ]:
        assert f"{count} {words}" in section, words
