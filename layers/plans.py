"""The plans the atlas maps, declared once: how the data spells each, how a link
and the translations name it, its text, what its references look like, and
where the map opens for it. A new plan is its data plus one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TEXTS = Path(__file__).resolve().parent.parent / "geodata" / "sources" / "plans"


@dataclass(frozen=True)
class Plan:
    id: str  # as data rows spell it (features.csv, indicators.csv, tasks.csv)
    key: str  # as a link (plan=) and the translations (plan.<key>) name it
    text_file: str  # in geodata/sources/plans/ (its README says where each came from)
    ref_pattern: str  # what a reference into its text looks like
    frame: dict  # where the map opens when it is chosen: centre and zoom
    sets_figures: bool = False  # its targets are the circle's cards


# Where each plan's map opens: a centre and zoom for a full-size map, and the bounds it
# must show whole (west, south, east, north), which a smaller map widens its view to fit
# (assets/atlas.js). The Jiaodong plan's are its five cities' boundaries; the docking
# plan's reach from Beijing's to Shanghai's and the Jiaodong cities' (tests hold both to the store).
JIAODONG_FRAME = {"center": {"lon": 120.3, "lat": 36.55}, "zoom": 6.5, "bounds": [118.17, 35.07, 122.72, 38.41]}
SHANDONG_TO_SHANGHAI = {"center": {"lon": 118.6, "lat": 35.4}, "zoom": 5.2, "bounds": [115.41, 30.67, 122.72, 41.06]}

REGISTRY = [
    Plan(
        "jiaodong-2021",
        "jiaodong",
        "jiaodong-plan-2021.txt",
        r"(前言|第[一二三四五六七八九十]{1,3}章).*",
        JIAODONG_FRAME,
        sets_figures=True,
    ),
    Plan(
        "shandong-docking-2025",
        "docking",
        "shandong-docking-plan-2025.txt",
        r"任务([1-9]|1\d|2[01])·\((一|二|三|四|五|六)\).*",
        SHANDONG_TO_SHANGHAI,
    ),
]
BY_ID: dict = {}
BY_KEY: dict = {}
# What the plan control offers: each plan alone, then all of them together.
BOTH = "both"
CHOICES: dict = {}


def register(plan: Plan) -> None:
    """Add a plan the list above does not carry (an office's own plan, or a test's).
    The indexes are updated in place, so every module that holds them sees it."""
    if plan not in REGISTRY:
        REGISTRY.append(plan)
    _index()


def _index() -> None:
    BY_ID.clear(), BY_KEY.clear(), CHOICES.clear()
    BY_ID.update((p.id, p) for p in REGISTRY)
    BY_KEY.update((p.key, p) for p in REGISTRY)
    CHOICES.update({**{p.key: (p.id,) for p in REGISTRY}, BOTH: tuple(BY_ID)})


_index()
FIGURES = next(p.id for p in REGISTRY if p.sets_figures)  # the plan whose targets the cards show
DOCKING = BY_KEY["docking"].id  # the plan of tasks, partner regions and links
DEFAULT = REGISTRY[0].key


def frame(choice: str) -> dict:
    """Where the map opens for a choice of plans: the one plan's frame, or the widest."""
    chosen = [BY_ID[p] for p in CHOICES.get(choice, ())] or [REGISTRY[0]]
    return min((p.frame for p in chosen), key=lambda f: f["zoom"])


def key_of(plan_id: str) -> str:
    return BY_ID[plan_id].key


def text(plan_id: str) -> str:
    """The plan's full text, as published."""
    return (TEXTS / BY_ID[plan_id].text_file).read_text(encoding="utf-8")
