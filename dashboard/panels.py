"""HTML panels: the circle's plan targets and a city's profile."""

from __future__ import annotations

from dash import html

from dashboard.figures import source_line
from dashboard.i18n import t
from dashboard.numbers import fmt, fmt_with_cmp, scaled, unit_label
from layers import indicators as ind
from layers import plans


def _imported(rec) -> bool:
    return bool(getattr(rec, "imported", False))


def circle_cards(indicators, defs, lang="zh") -> list:
    """One card per circle-wide 2025 target: the 2020 figure beside it (imported ones marked)."""
    circle = indicators[(indicators["scope"] == "circle") & (indicators["plan"] == plans.FIGURES)]
    defs = defs.set_index("indicator")
    cards = []
    for rec in circle[circle["kind"] == "target"].itertuples(index=False):
        d = defs.loc[rec.indicator]
        base = circle[(circle["indicator"] == rec.indicator) & (circle["kind"] == "baseline")]
        decimals = int(d["decimals"])
        unit = unit_label(d["unit"], d["unit_en"], lang)
        base_text = (
            fmt_with_cmp(base.iloc[0]["value"], base.iloc[0]["comparator"], decimals, lang, d["unit"])
            if len(base)
            else t("no_data", lang)
        )
        cards.append(
            html.Div(
                [
                    html.Div(d["name_zh"] if lang == "zh" else d["name_en"], className="card-name"),
                    html.Div(
                        [
                            html.Span(base_text, className="card-base"),
                            html.Span(" → "),
                            html.Span(
                                fmt_with_cmp(rec.value, rec.comparator, decimals, lang, d["unit"]),
                                className="card-target",
                            ),
                            html.Span(f" {unit}", className="card-unit"),
                        ]
                    ),
                    html.Div(
                        f"2020 → 2025 · {rec.source.replace('规划 ', '')}"
                        + (f" · {t('imported', lang)}" if any(_imported(r) for r in (rec, *base.itertuples())) else ""),
                        className="card-src",
                        title=rec.source_quote,
                    ),
                ],
                className="card",
            )
        )
    return cards


def city_panel(city, indicators, defs, lang="zh") -> list:
    """A city's positioning from 专栏1 and every figure the store has for it."""
    name = city["name_zh"] if lang == "zh" else city["name_en"]
    recs = indicators[indicators["area_code"] == city["adcode"]]
    defs = defs.set_index("indicator")
    rows = []
    for rec in recs.sort_values(["indicator", "year"]).itertuples(index=False):
        d = defs.loc[rec.indicator]
        rows.append(
            html.Tr(
                [
                    html.Td(d["name_zh"] if lang == "zh" else d["name_en"]),
                    html.Td(f"{rec.year} {t(f'kind.{rec.kind}', lang)}"),
                    html.Td(
                        f"{fmt_with_cmp(rec.value, rec.comparator, int(d['decimals']), lang, d['unit'])} "
                        f"{unit_label(d['unit'], d['unit_en'], lang)}"
                    ),
                    html.Td(
                        html.A(
                            source_line(rec._asdict(), lang),
                            href=rec.source,
                            target="_blank",
                            rel="noreferrer",
                            title=rec.source_quote,
                        )
                        if rec.source.startswith("http")
                        else source_line(rec._asdict(), lang)
                    ),
                ]
            )
        )
    return [
        html.H3(name),
        html.H4(f"{t('city.positioning', lang)} ({city['positioning_ref']})"),
        html.P(city["positioning_zh"], className="quote"),
        html.H4(t("city.cards", lang)),
        html.Div(target_cards(city["adcode"], indicators, defs.reset_index(), lang), className="city-cards"),
        html.H4(t("city.figures", lang)),
        html.Table([html.Tbody(rows)], className="figures") if rows else html.P(t("no_data", lang)),
    ]


def feature_panel(row, names, lang="zh") -> list:
    """A place the plan names: its names, the plan's words, and how sure its position is."""
    name, other = (row["name_zh"], row["name_en"]) if lang == "zh" else (row["name_en"], row["name_zh"])
    cities = "、".join(names.cities[c] for c in row["city_adcodes"].split(";") if c)
    facts = [
        (t("feature.layer", lang), t(f"layer.{row['layer']}", lang)),
        (t("feature.category", lang), names.categories[(row["layer"], row["category"])]),
        (t("feature.status", lang), t(f"status.{row['status']}", lang) if row["status"] else ""),
        (t("feature.cities", lang), cities),
        (t("feature.county", lang), names.counties.get(row["county_adcode"], "")),
        (t("feature.precision", lang), t(f"precision.{row['precision']}", lang)),
        (t("feature.grade", lang), t(f"grade.{row['coord_grade']}", lang)),
    ]
    source = row["coord_source"]
    source_el = html.A(source, href=source, target="_blank", rel="noreferrer") if source.startswith("http") else source
    body = [
        html.H3(name),
        html.Div(other, className="feature-other"),
        html.Table([html.Tbody([html.Tr([html.Td(k), html.Td(v)]) for k, v in facts if v])], className="figures"),
        html.H4(f"{t('feature.quote', lang)} · {t('plan.' + plans.key_of(row['plan']), lang)} · {row['plan_ref']}"),
        html.P(row["quote"], className="quote"),
    ]
    if row.get("also"):  # the same place in the other plan: shown once, with both references
        plan, ref, quote = row["also"].split("|", 2)
        key = plans.key_of(plan)
        body += [
            html.H4(f"{t('feature.also', lang)} {t(f'plan.{key}', lang)} · {ref}"),
            html.P(quote, className="quote"),
        ]
    body += [
        html.H4(t("feature.coord_source", lang)),
        html.P(source_el, className="source"),
    ]
    if row["coord_quote"]:
        body += [html.H4(t("feature.coord_quote", lang)), html.P(row["coord_quote"], className="quote source-quote")]
    if row["note"]:
        body += [html.H4(t("feature.note", lang)), html.P(row["note"], className="note")]
    return body


def target_cards(adcode: str, indicators, defs, lang="zh") -> list:
    """Per indicator on the city map: 2020, the 2025 target, the 2025 result, how far
    the result is from the target, and whether it reached it."""
    cards = []
    for d in defs[defs["city_map"] == "yes"].itertuples():
        views = {v: ind.city_view(indicators, d.indicator, v, [adcode])[0] for v in ind.LEVEL_VIEWS}
        target, actual = views["target"], views["actual"]
        status = ind.target_status(target, actual)
        decimals = int(d.decimals)
        unit = unit_label(d.unit, d.unit_en, lang)
        rows = [
            html.Tr(
                [html.Td(t(f"view.{v}", lang)), html.Td(fmt_with_cmp(cv.value, cv.comparator, decimals, lang, d.unit))]
            )
            for v, cv in views.items()
        ]
        if status in ("met", "short") and actual.comparator == "=" and target.comparator in ("=", ">", "≥"):
            gap, gap_decimals = scaled(actual.value - target.value, decimals, d.unit, lang)
            rows.append(
                html.Tr(
                    [
                        html.Td(t("card.gap", lang)),
                        html.Td(
                            f"{'+' if gap >= 0 else ''}{fmt(gap, gap_decimals)} "
                            f"({fmt(actual.value / target.value * 100, 1)}%)"
                        ),
                    ]
                )
            )
        cards.append(
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(d.name_zh if lang == "zh" else d.name_en),
                            html.Span(f" {unit}", className="card-unit"),
                        ],
                        className="card-name",
                    ),
                    html.Table(html.Tbody(rows), className="figures"),
                    html.Div(t(f"status.{status}", lang), className=f"status status-{status}"),
                ],
                className="target-card",
            )
        )
    return cards


def circle_summary(totals, defn, city_names: dict, lang="zh") -> list:
    """The circle's own figures (the plan's) beside what the five cities add up to."""
    decimals = int(defn["decimals"])
    unit = unit_label(defn["unit"], defn["unit_en"], lang)
    rows = []
    for total in totals:
        plan = (
            fmt_with_cmp(total.plan.value, total.plan.comparator, decimals, lang, defn["unit"])
            if total.plan
            else t("no_data", lang)
        )
        if total.cities_sum is not None:
            summed = fmt_with_cmp(total.cities_sum, total.sum_comparator, decimals, lang, defn["unit"])
        elif total.missing and len(total.missing) < len(city_names):
            summed = t("circle.missing", lang).format(cities="、".join(city_names[c] for c in total.missing))
        else:
            summed = t("circle.not_summed", lang) if defn["unit"] == "%" else t("no_data", lang)
        rows.append(html.Tr([html.Td(t(f"view.{total.kind}", lang)), html.Td(plan), html.Td(summed)]))
    head = html.Tr([html.Th(""), html.Th(t("circle.plan", lang)), html.Th(t("circle.sum", lang))])
    return [
        html.H4(f"{t('circle.summary', lang)} ({unit})"),
        html.Table([html.Thead(head), html.Tbody(rows)], className="figures"),
    ]
