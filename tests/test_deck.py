"""A briefing as a deck from the command line: the PowerPoint file and the PDF
opened and read back, and a broken briefing refused with no file left."""

import io
import re

import pytest
from PIL import Image
from pptx import Presentation
from pptx.oxml.ns import qn
from pypdf import PdfReader

from dashboard import deck, deck_files, export
from dashboard.export_queue import Busy, RenderQueue
from dashboard.page import Page

# Two slides: a plan layer with its positions' sources, and a choropleth of plan targets.
BRIEFING = """\
title:
  zh: 测试汇报
  en: A test briefing
slides:
  - title: {zh: 港口与港区, en: Ports}
    note: {zh: 以青岛港为龙头。, en: Qingdao leads.}
    view: "?layers=ports&lon=120.6&lat=36.9&z=6.9"
  - title: {zh: 城区人口目标, en: Urban population targets}
    note: {zh: 2025年目标(规划第三章)。, en: "The 2025 targets (plan, chapter 3)."}
    view: "?indicator=urban_district_population&view=target&layers="
"""
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def page(store):
    return Page.make(store)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both files of the test briefing, made once, as the command line makes them."""
    folder = tmp_path_factory.mktemp("deck")
    (folder / "test-deck.yaml").write_text(BRIEFING, "utf-8")
    pptx, pdf = folder / "deck.pptx", folder / "deck.pdf"
    argv = ["--briefing", str(folder / "test-deck.yaml"), "--pptx", str(pptx), "--pdf", str(pdf)]
    assert export.main(argv) == 0
    return folder, Presentation(pptx), PdfReader(pdf)


def _texts(slide) -> list[str]:
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        elif shape.has_table:
            out += [cell.text for row in shape.table.rows for cell in row.cells]
    return out


def test_a_deck_has_a_title_slide_a_slide_each_and_a_sources_slide(built, page):
    folder, prs, _ = built
    briefing = deck.find(page, str(folder / "test-deck.yaml"))
    assert len(prs.slides) == len(briefing.slides) + 2 == 4
    assert "测试汇报" in _texts(prs.slides[0])
    for slide, want in zip(list(prs.slides)[1:-1], briefing.slides):
        texts = "\n".join(_texts(slide))
        assert want.title["zh"] in texts and want.note["zh"] in texts
        assert "制图日期" in texts and "资料来源" in texts
        assert slide.notes_slide.notes_text_frame.text == want.note["zh"]
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        assert len(pictures) == 1
        assert Image.open(io.BytesIO(pictures[0].image.blob)).size == (1920, 1080)
        assert pictures[0].width * 1080 == pytest.approx(pictures[0].height * 1920, rel=1e-3)  # not stretched
    # The legend's text: the target view's classes, the ports layer with its count.
    assert "城区人口 · 万人" in "\n".join(_texts(prs.slides[2]))
    assert re.search(r"港口与港区 \(\d+\)", "\n".join(_texts(prs.slides[1])))


def test_the_sources_slide_lists_every_source_each_slide_shows_with_its_grade(built, page):
    folder, prs, _ = built
    briefing = deck.find(page, str(folder / "test-deck.yaml"))
    table = "\n".join(_texts(prs.slides[-1]))
    assert "资料来源及其等级" in table
    shown = [deck.view_sources(page, v) for v in deck.views_of(page, briefing, "zh")]
    assert ("《胶东经济圈“十四五”一体化发展规划》", "规划原文") in shown[1]  # the targets are the plan's
    assert any(grade == "注册数据集(按编码)" and src.startswith("searoute") for src, grade in shown[0])
    rows = {
        row.cells[0].text: row.cells[1].text for row in next(s for s in prs.slides[-1].shapes if s.has_table).table.rows
    }
    for n, sources in enumerate(shown, 1):
        for src, grade in sources:
            assert re.search(rf"{re.escape(src)} \([\d, ]*\b{n}\b", rows[grade]), (src, grade)
        # Each slide's own source line names them too.
        line = "\n".join(_texts(prs.slides[n]))
        assert all(src in line and grade in line for src, grade in sources)


def test_chinese_text_names_its_east_asian_font(built):
    _, prs, _ = built
    runs = [
        r
        for slide in prs.slides
        for r in slide.element.iter(qn("a:r"))
        if CJK.search("".join(t.text or "" for t in r.iter(qn("a:t"))))
    ]
    assert len(runs) > 20
    for r in runs:
        ea = r.find(qn("a:rPr")).find(qn("a:ea"))
        assert ea is not None and ea.get("typeface") == "Microsoft YaHei" and ea.get("charset") == "-122"
        assert r.find(qn("a:rPr")).get("lang") == "zh-CN"


def test_the_pdf_has_a_page_a_slide_with_its_picture_and_title(built):
    _, _, pdf = built
    assert len(pdf.pages) == 2
    for p in pdf.pages:
        images = p.images
        assert len(images) == 1 and Image.open(io.BytesIO(images[0].data)).size == (1920, 1080)
    assert pdf.metadata.title == "测试汇报"


@pytest.mark.parametrize(
    "name, said",
    [
        ("no-such-briefing", "no briefing 'no-such-briefing' (known: "),
        ("BROKEN", "slide 2: the view has parts the atlas does not know: indicator=no_such_indicator"),
    ],
)
def test_a_broken_briefing_is_refused_with_a_message_and_no_file(name, said, tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text(BRIEFING.replace("indicator=urban_district_population", "indicator=no_such_indicator"), "utf-8")
    name = str(broken) if name == "BROKEN" else name
    out = tmp_path / "out"
    out.mkdir()
    assert export.main(["--briefing", name, "--pptx", str(out / "d.pptx"), "--pdf", str(out / "d.pdf")]) == 2
    assert said in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_a_deck_needs_a_briefing(capsys):
    with pytest.raises(SystemExit):
        export.main(["--pptx", "deck.pptx"])
    assert "--briefing" in capsys.readouterr().err


def test_a_failed_write_leaves_no_part_file(tmp_path, monkeypatch):
    target = tmp_path / "deck.pptx"
    deck.write(target, b"whole")
    assert target.read_bytes() == b"whole" and list(tmp_path.iterdir()) == [target]

    def full(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(deck.os, "replace", full)
    with pytest.raises(OSError):
        deck.write(tmp_path / "other.pptx", b"half")
    assert list(tmp_path.iterdir()) == [target]


def test_a_deck_waits_while_the_queue_is_full_but_for_the_viewers_place(page, monkeypatch):
    """A deck's picture leaves one place to the viewers' own exports: it waits while only that one is free."""
    queue = RenderQueue(waiting=2)
    monkeypatch.setattr(export, "PNG_QUEUE", queue)
    monkeypatch.setattr(deck.time, "sleep", lambda s: release())
    monkeypatch.setattr(export, "to_png", lambda page, view, title: b"png")
    held = [queue.place(), queue.place()]
    for p in held:
        p.__enter__()
    tried = []

    def release():  # the deck found the queue full (but for the spare place): a viewer's export ends
        tried.append(queue.held)
        held.pop().__exit__(None, None, None)

    view = page.view("?layers=ports")
    assert deck.picture(page, view, "t") == b"png"
    assert tried == [2] and queue.held == 1
    held.pop().__exit__(None, None, None)
    with queue.place(spare=1), queue.place(spare=1):  # a deck takes the renderer and a waiting place...
        with pytest.raises(Busy):
            with queue.place(spare=1):  # ...but not the last place,
                pass
        with queue.place():  # which a viewer's export gets
            pass
    with RenderQueue(waiting=0).place(spare=1):  # with no waiting places, the renderer itself
        pass


def test_the_sources_of_a_deck_are_grouped_by_grade():
    one = deck.DeckSlide("a", "", b"", "", (), (("x.org", "新闻"), ("plan", "规划原文")))
    two = deck.DeckSlide("b", "", b"", "", (), (("x.org", "新闻"), ("y.org", "新闻")))
    assert deck_files.deck_sources([one, two]) == {"新闻": {"x.org": [1, 2], "y.org": [2]}, "规划原文": {"plan": [1]}}


def test_deck_jobs_run_in_threads_with_their_own_results_and_can_be_told_to_stop(tmp_path, monkeypatch):
    import threading

    from dashboard import deck_callbacks

    monkeypatch.setenv("ATLAS_JOBS_DIR", str(tmp_path / "jobs"))
    jobs = deck_callbacks.manager()
    assert (tmp_path / "jobs").is_dir()
    # Same callback, same arguments: still two results, not one shared.
    assert jobs.build_cache_key(len, ["brief", "zh"], [], None) != jobs.build_cache_key(len, ["brief", "zh"], [], None)
    go, seen = threading.Event(), []

    def job_fn(key, progress_key, args, context):
        go.wait(10)
        seen.append((threading.current_thread() is not threading.main_thread(), jobs.cancelled()))
        jobs.handle.set(key, "done")

    job = jobs.call_job_fn("k1", job_fn, [], {})
    assert jobs.job_running(job) and not jobs.job_running("")
    jobs.terminate_job(job)  # a thread is told, not killed
    go.set()
    for _ in range(100):
        if jobs.result_ready("k1"):
            break
        threading.Event().wait(0.05)
    assert jobs.get_result("k1", job) == "done" and seen == [(True, True)]
    assert jobs.job_running(job)  # for a moment after: a poll between result and end misses nothing
    jobs.handle.set(deck_callbacks._mark("running", "999999999-x"), True)
    assert not jobs.job_running("999999999-x")  # its process gone: not running, whatever the mark says
