"""The plans' own texts, shipped in geodata/sources/plans/ (its README says where each came from)."""
from __future__ import annotations

from pathlib import Path

from layers.records import PLANS

TEXTS = Path(__file__).resolve().parent.parent / "geodata" / "sources" / "plans"
FILES = dict(zip(PLANS, ("jiaodong-plan-2021.txt", "shandong-docking-plan-2025.txt")))


def text(plan: str) -> str:
    """The plan's full text, as published."""
    return (TEXTS / FILES[plan]).read_text(encoding="utf-8")
