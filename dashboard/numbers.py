"""Numbers as a reader sees them: thousands separators, no trailing zeros, the
comparator the source gives (>, ≥, ≈), and units in the reader's language."""

from __future__ import annotations

from dashboard.i18n import EN_UNITS, t


def fmt(value: float, decimals: int) -> str:
    """Thousands separators, at most `decimals` places, no trailing zeros."""
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def scaled(value: float | None, decimals: int, unit: str | None, lang: str = "zh") -> tuple:
    """A stored value and its decimals in the reader's unit: 万 and 亿 stay in
    Chinese; English gets millions and billions."""
    if lang == "zh" or unit not in EN_UNITS or value is None:
        return value, decimals
    _, factor, extra = EN_UNITS[unit]
    return value * factor, max(decimals + extra, 0)


def unit_label(unit: str, unit_en: str, lang: str = "zh") -> str:
    if lang == "zh":
        return unit
    return EN_UNITS[unit][0] if unit in EN_UNITS else unit_en


def fmt_with_cmp(cv_value, comparator, decimals, lang="zh", unit: str | None = None) -> str:
    """A value with its comparator (>, ≥, ≈); `unit` (stored) converts it for the reader."""
    if cv_value is None:
        return t("no_data", lang)
    value, decimals = scaled(cv_value, decimals, unit, lang)
    prefix = "" if comparator in ("", "=") else comparator + " "
    return prefix + fmt(value, decimals)


def view_unit(defn, view: str, lang: str = "zh") -> str:
    if view in ("growth", "progress"):
        return t(f"unit.{view}", lang)
    return unit_label(defn["unit"], defn["unit_en"], lang)


def level_unit(defn, view: str) -> str | None:
    """The stored unit a view's values are in (None for rates of change)."""
    return None if view in ("growth", "progress") else defn["unit"]
