"""The docking plan's tasks and flows at run time: which links pass a filter.

Pure functions over the store's `tasks` and `flows` tables; the dashboard
turns their results into lines from a Shandong city (or the province) to a
partner region.
"""

from __future__ import annotations

import pandas as pd


def departments(tasks: pd.DataFrame, role: str = "lead") -> list[str]:
    """Every department named as lead or responsible (or 'supporting'), in the order the plan first names it."""
    seen: dict[str, None] = {}
    for cell in tasks[f"{role}_departments"]:
        for name in filter(None, cell.split(";")):
            seen.setdefault(name, None)
    return list(seen)


def flows_matching(
    flows: pd.DataFrame, tasks: pd.DataFrame, groups=(), leads=(), numbers=(), cities=()
) -> pd.DataFrame:
    """The flows of the tasks in the given groups, led by any of the given
    departments, with the given numbers, from the given cities; an empty
    filter means no restriction."""
    ok = pd.Series(True, index=flows.index)
    if groups:
        ok &= flows["group"].isin(groups)
    if numbers:
        ok &= flows["task"].isin(numbers)
    if leads:
        wanted = set(leads)
        led = {(r.plan, r.number) for r in tasks.itertuples(index=False) if wanted & set(r.lead_departments.split(";"))}
        ok &= pd.Series([(p, n) in led for p, n in zip(flows["plan"], flows["task"])], index=flows.index)
    if cities:
        ok &= flows["city"].isin(cities)
    return flows[ok]


def links(flows: pd.DataFrame) -> pd.DataFrame:
    """One line per (city, partner region) pair, with the tasks that draw it:
    many tasks link the same city to the same region, and one line says it once."""
    if flows.empty:
        return flows.assign(tasks=[])
    keys = ["city", "partner", "from_lon", "from_lat", "to_lon", "to_lat"]
    out = (
        flows.groupby(keys, sort=False)["task"]
        .agg(lambda s: sorted(set(int(v) for v in s)))
        .rename("tasks")
        .reset_index()
    )
    return out


def tasks_naming(tasks: pd.DataFrame, city: str) -> pd.DataFrame:
    """The tasks whose text names the city (by adcode)."""
    return tasks[tasks["cities"].map(lambda s: city in s.split(";"))]
