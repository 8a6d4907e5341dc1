"""A briefing as a deck: a PowerPoint file (python-pptx) or a PDF (reportlab) with
each slide's map as the 1920×1080 picture the PNG export draws.

PPTX: a title slide; per slide its map, title, note, legend, sources with their
grades and the date; a closing slide with every source the deck shows and its
grade. PDF: one page per slide, the picture with the slide's title and note.

Each picture takes its place in the PNG exports' queue (export.PNG_QUEUE) like
any other, and leaves one place free for the viewers' own exports.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from dashboard import export, memory
from dashboard.export_queue import Busy
from dashboard.i18n import t
from dashboard.page import Page, all_figures, indicator_of
from dashboard.slides import Briefing, BriefingError
from dashboard.slides import load as load_briefing
from dashboard.view import View
from layers import indicators as ind
from layers import plans

KINDS = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}
# East Asian text names its font itself, or PowerPoint and WPS fall back to a font
# without the glyphs. YaHei ships with Windows since Vista and with WPS; charset
# -122 (GB2312) and the panose let a machine without it substitute its own Chinese
# font (SimSun, DengXian) rather than a Latin one.
EA_FONT = {"typeface": "Microsoft YaHei", "panose": "020B0503020204020204", "pitchFamily": "34", "charset": "-122"}
LATIN_FONT = "Arial"
PICTURE_TRIES = 3  # kaleido gives up on a render after 90 s on a very busy machine
WAIT_SECONDS = 600  # a picture waits this long at most for a place in a full queue
SPARE = 1  # places in the PNG queue a deck leaves to the viewers' own exports


class DeckError(ValueError):
    """A briefing that cannot become a deck: said, and no file written."""


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class DeckSlide:
    """One briefing slide, ready to lay out."""

    title: str
    note: str
    png: bytes
    heading: str  # the legend's
    legend: tuple  # (colour or None, text)
    sources: tuple  # (source, grade)


def find(page: Page, name: str) -> Briefing:
    """A shipped briefing by name, or a briefing file by path (a draft not yet shipped)."""
    if name.endswith((".yaml", ".yml")) or os.sep in name:
        try:
            return load_briefing(Path(name), page.parse)
        except BriefingError as exc:
            raise DeckError(str(exc)) from None
    if name in page.briefings:
        return page.briefings[name]
    broken = [e for e in page.briefing_errors if e.startswith(f"{name}.yaml")]
    known = ", ".join(page.briefings) or "none"
    raise DeckError("; ".join(broken) if broken else f"no briefing '{name}' (known: {known})")


def views_of(page: Page, briefing: Briefing, lang: str) -> list[View]:
    """Each slide's view in the deck's language; a view the atlas does not fully understand stops the deck."""
    views = []
    for n, slide in enumerate(briefing.slides, 1):
        view, dropped = page.parse(slide.view)
        if dropped:
            raise DeckError(
                f"{briefing.id}, slide {n}: the view has parts the atlas does not know: {'; '.join(dropped)}"
            )
        views.append(view.but(lang=lang))
    return views


def picture(page: Page, view: View, title: str, cancelled=lambda: False) -> bytes:
    """The slide's PNG, rendered in its turn in the PNG queue; while the queue is full
    (bar the place left to the viewers), the deck waits rather than pushing in."""
    tries, until = 0, time.monotonic() + WAIT_SECONDS
    while True:
        if cancelled():
            raise Cancelled
        try:
            with export.PNG_QUEUE.place(spare=SPARE):
                return export.to_png(page, view, title)
        except Busy:
            if time.monotonic() > until:
                raise TimeoutError(f"the server made other pictures for {WAIT_SECONDS} s") from None
            time.sleep(0.5)
        except TimeoutError:
            tries += 1
            if tries >= PICTURE_TRIES:
                raise
            time.sleep(export.PNG_QUEUE.retry_after())


def gather(page: Page, briefing: Briefing, lang: str, progress=None, cancelled=lambda: False) -> list[DeckSlide]:
    """Every slide's picture and texts; `progress(done, total)` after each picture."""
    views = views_of(page, briefing, lang)  # all checked before any picture is made
    out = []
    for n, (slide, view) in enumerate(zip(briefing.slides, views), 1):
        d = export.drawing(page, view)
        title = slide.title[lang]
        png = picture(page, view, title, cancelled)
        out.append(DeckSlide(title, slide.note[lang], png, d.heading, d.rows, tuple(view_sources(page, view))))
        if progress:
            progress(n, len(views))
    return out


def view_sources(page: Page, view: View) -> list[tuple[str, str]]:
    """(source, grade) for what the view shows, each once: the figures the map is
    coloured by (graded by their quality), the plans and the positions of the places
    drawn (graded as the places table grades them), the links' plan and the boundaries."""
    lang, store = view.lang, page.store
    out = [(_figure_source(rec, lang), t(f"quality.{rec['quality']}", lang)) for rec in _records(page, view)]
    shown = export.places(page, view)
    feats = store.features.loc[shown.index]
    placed = feats[feats["precision"] != "unplaced"]
    out += [(_plan_name(p, lang), t("quality.plan", lang)) for p in dict.fromkeys(placed["plan"])]
    out += [(_label(s), t(f"grade.{g}", lang)) for s, g in zip(placed["coord_source"], placed["coord_grade"])]
    if page.flow_data(view, lang).get("visible"):
        out.append((_plan_name(plans.DOCKING, lang), t("quality.plan", lang)))
    out.append((t("sourceline.boundaries", lang), t("grade.registry", lang)))
    return list(dict.fromkeys(out))


def _records(page: Page, view: View) -> list:
    """The figures behind the map's colours (as page.map_view reads them)."""
    figs = all_figures(page.store)
    codes = indicator_of(page.store, view.indicator, view.lang)[1]
    if view.view == ind.STATUS_VIEW:
        return [r for _, tg, ac in ind.city_status(figs, view.indicator, codes) for r in (*tg.inputs, *ac.inputs)]
    return [r for cv in ind.city_view(figs, view.indicator, view.view, codes) for r in cv.inputs]


def _figure_source(rec, lang: str) -> str:
    label = t("sourceline.plan", lang) if rec["quality"] == "plan" else _label(rec["source"])
    return f"{t('imported', lang)} · {label}" if rec.get("imported") else label


def _plan_name(plan_id: str, lang: str) -> str:
    return (
        t("sourceline.plan", lang) if plan_id == plans.FIGURES else f"《{t(f'plan.{plans.BY_ID[plan_id].key}', lang)}》"
    )


def _label(source: str) -> str:
    return urlparse(source).netloc if source.startswith("http") else source


def source_text(sources, lang: str) -> str:
    """One line: each grade, then its sources."""
    by_grade: dict = {}
    for source, grade in sources:
        by_grade.setdefault(grade, []).append(source)
    sep = ";" if lang == "zh" else "; "
    return t("sourceline", lang).format(sources=sep.join(f"{g}: {', '.join(s)}" for g, s in by_grade.items()))


def made(lang: str) -> str:
    return t("made", lang).format(date=date.today().isoformat())


def build(page: Page, briefing: Briefing, kinds, lang: str, progress=None, cancelled=lambda: False) -> dict:
    """kind -> the deck's file, whole: nothing is written until every picture is made."""
    from dashboard import deck_files

    pages = gather(page, briefing, lang, progress, cancelled)
    made_by = {
        "pptx": lambda: deck_files.pptx(briefing, pages, lang),
        "pdf": lambda: deck_files.pdf(pages, lang, briefing.title[lang]),
    }
    files = {kind: made_by[kind]() for kind in kinds}
    memory.give_back()
    return files


def write(path: Path, body: bytes) -> None:
    """Written beside its place and moved there: a reader never sees half a deck."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cli(page: Page, name: str, outputs: dict, lang: str) -> int:
    """python -m dashboard.export --briefing NAME --pptx FILE [--pdf FILE]; 2 for a broken briefing."""
    import sys

    start = time.monotonic()
    try:
        briefing = find(page, name)
        files = build(page, briefing, outputs, lang, lambda n, total: print(f"slide {n}/{total}", file=sys.stderr))
    except DeckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for kind, path in outputs.items():
        write(path, files[kind])
        print(f"{path} ({len(briefing.slides)} slides, {time.monotonic() - start:.0f} s)")
    return 0


def deck_name(briefing: Briefing, kind: str) -> str:
    return f"{briefing.id}-{date.today().isoformat()}.{kind}"


def to_bytes(save) -> bytes:
    buf = io.BytesIO()
    save(buf)
    return buf.getvalue()
