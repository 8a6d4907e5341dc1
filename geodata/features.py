"""Turn the hand-edited features (place tokens) into geometries, at build time.

A feature says where it is with place tokens (see layers.records.PLACE):
`site:lat,lon` is a sourced coordinate in the row's datum; `county:` and
`city:` stand for the unit's label point (a point) or its polygon (an area);
`coast:` is the point of a county's or city's coast nearest its label point: a
coastal facility known only to its county or city is drawn on that unit's
shore, never inland, with the unit's precision. `context:` is a neighbouring
region's label point; `feature:` reuses another feature's point. Lines join
their places in order and are schematic. The precision follows from the
tokens, so it cannot claim more than the source.

`county:` and `city:` name any unit of Shandong: the five Jiaodong cities and
their counties, and the other eleven cities and their counties (the store's
`context_counties`), which the docking plan's places need.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry import LineString, Point

from geodata import gcj02
from layers import plans, records

CRS = "EPSG:4326"
_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def chapter_of(plan_ref: str) -> int:
    """第十二章·... -> 12; 前言 -> 0; 任务7·(二) -> 2.

    The docking plan's 21 tasks all stand in its part 二、重点任务, so a task
    reference is in part 2 of that plan; `task_of` gives the task itself.
    """
    if plan_ref.startswith("前言"):
        return 0
    if task_of(plan_ref):
        return 2
    m = re.match(r"第([一二三四五六七八九十]{1,3})章", plan_ref)
    if not m:
        raise ValueError(f"no chapter in '{plan_ref}'")
    text = m.group(1)
    if "十" not in text:
        return _NUMERALS[text]
    tens, _, units = text.partition("十")
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def task_of(plan_ref: str) -> int:
    """任务7·(二) -> 7 (the docking plan's numbered tasks); any other reference -> 0."""
    m = re.match(r"任务(\d{1,2})·\(", plan_ref)
    return int(m.group(1)) if m else 0


def split_also(also: str) -> tuple[str, str, str]:
    """'plan|plan_ref|quote' -> (plan, plan_ref, quote); '' -> ('', '', '')."""
    if not also:
        return "", "", ""
    plan, ref, quote = also.split("|")
    return plan, ref, quote


def docking_task(plan: str, plan_ref: str, also: str) -> int:
    """The docking plan's task that names the place, by its own or its second reference."""
    if plan == plans.DOCKING:
        return task_of(plan_ref)
    also_plan, also_ref, _ = split_also(also)
    return task_of(also_ref) if also_plan == plans.DOCKING else 0


# Who gives a position (records.COORD_GRADES), read from the row's coord_source: the registry
# packages by the reference their rows cite; the plan's own words and the atlas's boundaries by
# their marker; a web page by its host. A row states its grade; the build holds it to this rule.
REGISTRIES = (
    "searoute 1.6.0 (Apache-2.0): searoute/data/ports.geojson",
    "airportsdata 20260905 (MIT): airportsdata/airports.csv",
)
PLAN_SOURCES = ("规划原文", "本图集")  # the plan's words; the atlas's own points and unions
UNPLACED_SOURCE = "未能定位"
SAME_AS = "同 "  # "同 port-weihai": drawn at another place's point, on that place's source
# Government sites outside gov.cn: the province's chorography office, and Select Shandong (the
# investment platform the provincial Party committee and government run through the Department of
# Commerce). A host is official if it is one of these domains or gov.cn, or under one.
OFFICIAL_DOMAINS = ("gov.cn", "shandong-chorography.org", "selectshandong.com")
# Copies of Wikipedia or of an encyclopedia, and content farms that republish others' articles
# under unrelated names: never better than `mirror`, whatever the page says.
MIRROR_HOSTS = frozenset(
    """
54e1ad4b4888.kfd.me 56tv.org 74khd.qqd.cnfou.com 8tdc.com.cn baike-baidu-com.hcv8jop0ns2r.cn
baike.baidu.hk dahuhg.com freep.cn hbzqbyyxgs.com ingsd.com jiangsulong.com jr22wz.com
juke.outofmemory.cn kuaida2.com langberglaw.com m.ctbtax.com m.epennyvalue.com m.faw-nx.cn
m.gethgdk.com m.infofloats.com m.okeytime.com m.rnwmd.com m.yuanshanyes.com m.ywswjs.cn
m.zgkjsz.com mlnxb.com outofmemory.cn piglix.com pinocchiopedia.com rushan.zhuigan.com
sdszbzz.com shangwu.cnsygc.com twwiki.net wiki.fkgfw.men wiki.studentb.eu wiki.thedays.cn
wikizero.com www.55yes.cn www.591rich.net www.aiborain.com www.bangyuanlaw.com www.bkwk.cn
www.eqrm.cn www.guanxijiaoyu.com www.hztqag.com www.hzveq.com www.knowpia.com www.longlizno.com
www.marinaassociates.com www.mechuban.com www.nevermaind.com www.newton.com.tw
www.shicijianshang.com www.xuehua.us xbkfyjy.com yanjian10.com.cn zggqgc.com zhm.100ke.info
zhwiki.oracleblog.org
""".split()
)
WEB_GRADES = ("news", "trade", "aggregator", "mirror")  # a page of no better kind


def host_of(source: str) -> str:
    """'https://en.wikipedia.org/wiki/X' -> 'en.wikipedia.org'; '' for a source that is no URL."""
    m = re.match(r"https?://([^/:?#]+)", source)
    return m.group(1).lower() if m else ""


def grade_problem(source: str, grade: str, grade_of_id) -> str:
    """Why `grade` is not what `source` is ('' if it is). `grade_of_id` gives another row's grade."""
    host = host_of(source)
    if source in REGISTRIES:
        expected = ("registry",)
    elif source.startswith(PLAN_SOURCES):
        expected = ("plan",)
    elif source == UNPLACED_SOURCE:
        expected = ("none",)
    elif source.startswith(SAME_AS):
        other = grade_of_id(source[len(SAME_AS) :])
        if other is None:
            return f"'{source}' names no place"
        expected = (other,)
    elif not host:
        return f"'{source}' is no registry, plan marker, place id or URL"
    elif host == "wikipedia.org" or host.endswith(".wikipedia.org"):
        expected = ("wikipedia",)
    elif any(host == d or host.endswith("." + d) for d in OFFICIAL_DOMAINS):
        expected = ("official",)
    elif host in MIRROR_HOSTS:
        expected = ("mirror",)
    else:
        expected = WEB_GRADES
    if grade not in expected:
        return f"'{grade}' for '{source[:60]}': expected {' or '.join(map(str, expected))}"
    return ""


class _Places:
    """Label points and polygons of the units a token can name."""

    def __init__(
        self,
        counties: gpd.GeoDataFrame,
        cities: gpd.GeoDataFrame,
        context: gpd.GeoDataFrame,
        context_counties: gpd.GeoDataFrame | None = None,
    ):
        if context_counties is not None:
            counties = pd.concat([counties, context_counties], ignore_index=True)
        shandong = context[context["kind"] == "shandong_city"].rename(columns={"code": "adcode"})
        cities = pd.concat(
            [
                cities[["adcode", "label_lon", "label_lat", "geometry"]],
                shandong[["adcode", "label_lon", "label_lat", "geometry"]],
            ],
            ignore_index=True,
        )
        self.county_point = {r.adcode: Point(r.label_lon, r.label_lat) for r in counties.itertuples()}
        self.county_area = dict(zip(counties["adcode"], counties.geometry))
        self.county_city = dict(zip(counties["adcode"], counties["city_adcode"]))
        self.city_point = {r.adcode: Point(r.label_lon, r.label_lat) for r in cities.itertuples()}
        self.city_area = dict(zip(cities["adcode"], cities.geometry))
        self.context_point = {r.code: Point(r.label_lon, r.label_lat) for r in context.itertuples()}
        self._land = shapely.union_all([*cities.geometry, *context.geometry])
        self._shore: dict[str, Point | None] = {}

    def shore_point(self, code: str) -> Point | None:
        """The point of the unit's coast nearest its label point; None inland."""
        if code not in self._shore:
            area = self.county_area.get(code, self.city_area.get(code))
            label = self.county_point.get(code, self.city_point.get(code))
            along = self._land.boundary.intersection(area.buffer(1e-6))
            if along.is_empty:
                self._shore[code] = None
            else:
                near = shapely.ops.nearest_points(along, label)[0]
                inside = area.buffer(-1e-5)  # about a metre in, so the point is the unit's
                self._shore[code] = shapely.ops.nearest_points(inside, near)[0]
        return self._shore[code]


def resolve(sources: pd.DataFrame, counties, cities, context, file: str, context_counties=None) -> gpd.GeoDataFrame:
    """Every source row as a store feature: geometry, precision, chapter, task.

    Points are resolved first, so that lines and other points may name them
    with `feature:`. Any inconsistency stops the build with the row named.
    """
    places = _Places(counties, cities, context, context_counties)
    rows = sources.reset_index(drop=True)
    geoms: list = [None] * len(rows)
    precision: list = [""] * len(rows)
    order = sorted(range(len(rows)), key=lambda i: (rows.loc[i, "shape"] != "point", _refers(rows.loc[i, "where"])))
    by_id = {}
    grades = dict(zip(rows["id"], rows["coord_grade"]))
    grade_of_id = grades.get
    for i in order:
        r = rows.loc[i]
        line = i + 2  # as a person counts lines in the CSV

        def fail(column, message, line=line):
            raise records.RecordError(file, line, column, message)

        problem = grade_problem(r["coord_source"], r["coord_grade"], grade_of_id)
        if problem:
            fail("coord_grade", problem)
        if not re.fullmatch(plans.BY_ID[r["plan"]].ref_pattern, r["plan_ref"]):
            fail("plan_ref", f"'{r['plan_ref']}' is not a reference of {r['plan']}")
        if r["also"]:
            also_plan, also_ref, _ = split_also(r["also"])
            if not re.fullmatch(plans.BY_ID[also_plan].ref_pattern, also_ref):
                fail("also", f"'{also_ref}' is not a reference of {also_plan}")
            if also_plan == r["plan"]:
                fail("also", "names the row's own plan; give the second plan's reference")
        if not r["where"]:  # named by the plan, but no source places it
            if r["shape"] != "point" or r["city_adcodes"] or r["county_adcode"]:
                fail("where", "only a point with no city or county may be left unplaced")
            precision[i] = "unplaced"
            continue
        tokens = r["where"].split(";")
        if r["shape"] == "point" and len(tokens) != 1:
            fail("where", "a point takes exactly one place")
        if r["shape"] == "line" and len(tokens) < 2:
            fail("where", "a line takes two places or more")
        sites = [tok for tok in tokens if tok.startswith("site:")]
        if bool(sites) != bool(r["datum"]):
            fail("datum", "a site coordinate needs its datum, and only a site has one")
        if r["shape"] == "area":
            geoms[i], precision[i] = _area(tokens, places, fail)
        else:
            resolved = [_point(tok, r["datum"], places, by_id, fail) for tok in tokens]
            if r["shape"] == "point":
                geoms[i], precision[i] = resolved[0]
            else:
                geoms[i], precision[i] = LineString([p for p, _ in resolved]), "schematic"
        _check_units(r, tokens, places, fail)
        kind, _, code = tokens[0].partition(":")
        if r["shape"] == "point" and (kind == "county" or kind == "coast" and code in places.county_city):
            rows.loc[i, "county_adcode"] = code
        by_id[r["id"]] = (geoms[i], precision[i], r["shape"])
    out = rows.drop(columns=["shape", "where", "datum"])
    out["precision"] = precision
    out["chapter"] = [chapter_of(ref) for ref in out["plan_ref"]]
    out["task"] = [docking_task(p, ref, also) for p, ref, also in zip(out["plan"], out["plan_ref"], out["also"])]
    return gpd.GeoDataFrame(out, geometry=geoms, crs=CRS)


def _refers(where: str) -> bool:
    return "feature:" in where


def _point(token, datum, places: _Places, by_id, fail):
    kind, _, value = token.partition(":")
    if kind == "site":
        lat, lon = (float(v) for v in value.split(","))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            fail("where", f"'{token}' is not a latitude,longitude pair")
        if datum == "GCJ02":  # Chinese web maps: shift back to WGS-84
            lon, lat = (float(v[0]) for v in gcj02.gcj02_to_wgs84(np.array([lon]), np.array([lat])))
        return Point(lon, lat), "site"
    if kind == "coast":
        if value not in places.county_area and value not in places.city_area:
            fail("where", f"unknown county or city '{value}'")
        point = places.shore_point(value)
        if point is None:
            fail("where", f"'{value}' has no coast")
        return point, "county" if value in places.county_area else "city"
    table = {"county": places.county_point, "city": places.city_point, "context": places.context_point}.get(kind)
    if table is not None:
        if value not in table:
            fail("where", f"unknown {kind} '{value}'")
        return table[value], {"context": "city"}.get(kind, kind)
    if value not in by_id:
        fail("where", f"unknown feature '{value}' (or one that is not a point)")
    geom, prec, shape = by_id[value]
    if shape != "point":
        fail("where", f"feature '{value}' is not a point")
    return geom, prec


def _area(tokens, places: _Places, fail):
    parts, precision = [], "county"
    for token in tokens:
        kind, _, value = token.partition(":")
        table = {"county": places.county_area, "city": places.city_area}.get(kind)
        if table is None:
            fail("where", f"an area is a union of counties or cities, not '{token}'")
        if value not in table:
            fail("where", f"unknown {kind} '{value}'")
        parts.append(table[value])
        precision = "city" if kind == "city" else precision
    return shapely.coverage_union_all(parts), precision


def _check_units(r, tokens, places: _Places, fail) -> None:
    """The declared city and county must agree with the places named."""
    declared = set(filter(None, r["city_adcodes"].split(";")))
    unknown = declared - set(places.city_point)
    if unknown:
        fail("city_adcodes", f"'{min(unknown)}' is not a city of Shandong")
    units = [
        (("county" if v in places.county_city else "city") if k == "coast" else k, v)
        for k, _, v in (t.partition(":") for t in tokens)
    ]
    named = {places.county_city[v] for k, v in units if k == "county"}
    named |= {v for k, v in units if k == "city"}
    if not named <= declared:
        fail("city_adcodes", f"missing {', '.join(sorted(named - declared))}, named in 'where'")
    county = r["county_adcode"]
    if county:
        if county not in places.county_city:
            fail("county_adcode", f"unknown county '{county}'")
        if places.county_city[county] not in declared:
            fail("county_adcode", f"county '{county}' is not in the declared cities")
        one = [v for k, v in units if k == "county"]
        if one and r["shape"] == "point" and one[0] != county:
            fail("county_adcode", f"differs from the place '{tokens[0]}'")
