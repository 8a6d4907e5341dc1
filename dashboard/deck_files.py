"""The deck's files laid out: PowerPoint (python-pptx) and PDF (reportlab), from
the slides dashboard.deck gathered (pictures and texts)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from dashboard import deck
from dashboard.i18n import t

INK, GREY, ACCENT = RGBColor(0x1D, 0x23, 0x2B), RGBColor(0x4A, 0x58, 0x68), RGBColor(0x0F, 0x24, 0x37)
WIDE, HIGH = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.4)


def _font(run, size: float, color=INK, bold: bool = False, lang: str = "zh") -> None:
    """The run's size and colour, and its fonts named for Latin and East Asian text alike."""
    font = run.font
    font.size, font.bold, font.name = Pt(size), bold, deck.LATIN_FONT
    font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", "zh-CN" if lang == "zh" else "en-US")
    rpr.set("altLang", "en-US" if lang == "zh" else "zh-CN")
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = rpr.makeelement(qn("a:ea"), dict(deck.EA_FONT))
    latin = rpr.find(qn("a:latin"))  # a:ea follows a:latin in the schema's order
    latin.addnext(ea)


def _text(slide, box: tuple, paragraphs: list, lang: str, align=PP_ALIGN.LEFT):
    """A text box; `paragraphs`: [(text, size, colour, bold)] or [[runs]] for mixed runs."""
    left, top, width, height = box
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, para in enumerate(paragraphs):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        p.alignment = align
        for text, size, color, bold in para if isinstance(para, list) else [para]:
            run = p.add_run()
            run.text = text
            _font(run, size, color, bold, lang)
    return frame


def pptx(briefing, slides: list, lang: str) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDE, HIGH
    blank = prs.slide_layouts[6]
    _title_slide(prs.slides.add_slide(blank), briefing, len(slides), lang)
    for n, s in enumerate(slides, 1):
        _map_slide(prs.slides.add_slide(blank), s, n, len(slides), lang)
    _sources_slide(prs.slides.add_slide(blank), slides, lang)
    core = prs.core_properties
    core.title, core.language = briefing.title[lang], "zh-CN" if lang == "zh" else "en-US"
    return deck.to_bytes(prs.save)


def _title_slide(slide, briefing, count: int, lang: str) -> None:
    width = WIDE - 2 * MARGIN
    _text(slide, (MARGIN, Inches(2.3), width, Inches(1.4)), [(briefing.title[lang], 40, ACCENT, True)], lang)
    _text(
        slide,
        (MARGIN, Inches(3.9), width, Inches(1.6)),
        [(t("title", lang), 22, GREY, False), (t("deck.count", lang).format(n=count), 16, GREY, False)],
        lang,
    )
    _text(slide, (MARGIN, Inches(6.6), width, Inches(0.5)), [(deck.made(lang), 14, GREY, False)], lang)


def _map_slide(slide, s, n: int, total: int, lang: str) -> None:
    """The title across the top; the map on the left, the note and legend beside it; sources and date below."""
    _text(slide, (MARGIN, Inches(0.2), WIDE - 2 * MARGIN, Inches(0.8)), [(s.title, 28, ACCENT, True)], lang)
    pic_w = Inches(8.9)
    slide.shapes.add_picture(io.BytesIO(s.png), MARGIN, Inches(1.05), pic_w, Emu(pic_w * 1080 // 1920))
    side = (MARGIN + pic_w + Inches(0.25), Inches(1.05), WIDE - pic_w - 2 * MARGIN - Inches(0.25), Inches(5.0))
    legend = [
        [("■ ", 14, RGBColor.from_string(color.lstrip("#")[:6].upper()), False), (str(text), 12, INK, False)]
        if color and color.startswith("#")
        else (str(text), 10, GREY, False)
        for color, text in s.legend
    ]
    _text(slide, side, [(s.note, 14, INK, False), ("", 8, INK, False), (s.heading, 12, INK, True), *legend], lang)
    bottom = (MARGIN, Inches(6.2), WIDE - 2 * MARGIN, Inches(0.85))
    line = deck.source_text(s.sources, lang)
    _text(slide, bottom, [(line, _size(line, (10, 9, 8, 7, 6, 5)), GREY, False)], lang)
    foot = f"{deck.made(lang)} · {t('briefing.slide', lang).format(n=n, total=total)}"
    _text(slide, (MARGIN, Inches(7.0), WIDE - 2 * MARGIN, Inches(0.4)), [(foot, 10, GREY, False)], lang, PP_ALIGN.RIGHT)
    slide.notes_slide.notes_text_frame.text = s.note  # the presenter's view shows it too


def deck_sources(slides: list) -> dict:
    """grade -> {source: the slides that show it}, for every source the deck shows."""
    by_grade: dict = {}
    for n, s in enumerate(slides, 1):
        for source, grade in s.sources:
            by_grade.setdefault(grade, {}).setdefault(source, []).append(n)
    return by_grade


def _size(text: str, sizes: tuple = (11, 10, 9, 8, 7, 6)) -> int:
    """A smaller type for a longer text, so that a long list of sources still fits its box."""
    for size, limit in zip(sizes, (300, 600, 900, 1400, 2200)):
        if len(text) <= limit:
            return size
    return sizes[-1]


def _sources_slide(slide, slides: list, lang: str) -> None:
    """A table: each grade, then the sources of that grade and the slides that show them."""
    by_grade = deck_sources(slides)
    top = Inches(1.1)
    _text(
        slide,
        (MARGIN, Inches(0.2), WIDE - 2 * MARGIN, Inches(0.8)),
        [(t("deck.sources", lang), 28, ACCENT, True)],
        lang,
    )
    width = WIDE - 2 * MARGIN
    cells = [(t("deck.grade", lang), f"{t('source', lang)} ({t('deck.slides', lang)})")]
    for grade, sources in by_grade.items():
        cells.append((grade, "; ".join(f"{src} ({', '.join(map(str, ns))})" for src, ns in sources.items())))
    size = _size("".join(c for _, c in cells), (12, 11, 10, 9, 8, 7))
    table = slide.shapes.add_table(len(cells), 2, MARGIN, top, width, Inches(0.35) * len(cells)).table
    table.columns[0].width = int(width * 0.2)
    table.columns[1].width = width - table.columns[0].width
    for r, row in enumerate(cells):
        for c, text in enumerate(row):
            frame = table.cell(r, c).text_frame
            frame.word_wrap = True
            run = frame.paragraphs[0].add_run()
            run.text = text
            _font(run, size, RGBColor(0xFF, 0xFF, 0xFF) if r == 0 else INK, r == 0, lang)


# A TrueType Chinese font to embed in the PDF (Debian's fonts-wqy-microhei: reportlab
# cannot embed Noto CJK's CFF outlines). Without it the PDF names Adobe's standard
# STSong-Light and embeds nothing: Acrobat and browsers have it, some readers do not.
PDF_FONTS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)


def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if "AtlasCJK" in pdfmetrics.getRegisteredFontNames():
        return "AtlasCJK"
    for path in PDF_FONTS:
        if path.exists():
            pdfmetrics.registerFont(TTFont("AtlasCJK", str(path), subfontIndex=0))  # embedded, as a subset
            return "AtlasCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    """The text in lines no wider than `width`: Chinese breaks between any two characters,
    other text at spaces."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in re.findall(r"[\u2e80-\u9fff\uff00-\uffef][，。、；：！？）」』,.;:!?)]*|\S+\s*|\s+", text):
        if line and stringWidth(line + word.rstrip(), font, size) > width:
            lines.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    return [*lines, line.rstrip()] if line.strip() else lines


def pdf(slides: list, lang: str, title: str = "") -> bytes:
    """A page per slide: the picture, and under it the title and note as text."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = _pdf_font()
    w, h, band = 960, 540, 90  # points: the picture at half its pixel size, and a band for the texts
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(w, h + band), pageCompression=1)
    c.setTitle(title)
    for s in slides:
        c.drawImage(ImageReader(io.BytesIO(s.png)), 0, band, w, h)
        c.setFont(font, 18)
        c.drawString(24, band - 28, s.title)
        c.setFont(font, 11)
        for i, line in enumerate(_lines(s.note, font, 11, w - 48)[:3]):
            c.drawString(24, band - 48 - 14 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()
