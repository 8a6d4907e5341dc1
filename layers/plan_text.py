"""The plans' texts as trees of sections, and where each quote stands in them.

Parsed once from the files the repository ships (layers.plans.text). A section
is named as the data's references name it (第十章第二节, 专栏2, 任务7, (二)):
that name is its id in a link (`read=`). Each section owns the span of text from
its heading to the next heading; its subtree's spans follow it, unbroken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from layers import plans

JIAODONG = "jiaodong-2021"
NUMERALS = "一二三四五六七八九十"
_HEADING = re.compile(rf"^[^\S\n]*(第[{NUMERALS}]{{1,3}}章|第[{NUMERALS}]{{1,3}}节|专栏\d|前[^\S\n]*言)", re.M)


@dataclass(frozen=True)
class Section:
    id: str  # as a reference names it, and a link (read=)
    plan: str
    title: str  # the heading as the plan gives it (spaces closed up)
    level: int  # 1: a chapter or a part of the plan; 2: a section or group; 3: a 专栏 or task
    parent: str | None
    start: int  # its own text: from its heading to the next one
    end: int
    body: int  # where its text starts after the heading (= start: the heading is part of the text)


@dataclass(frozen=True)
class Quote:
    """A row's verbatim words, where they stand in the plan's text."""

    plan: str
    section: str  # the section its reference names
    start: int
    end: int
    kind: str  # place, task, flow, figure, city
    key: str  # the row: a place's id, a task's number, ...


@dataclass
class PlanText:
    plan: str
    text: str
    sections: list[Section]
    parts: dict = field(default_factory=dict)  # section id -> id of its top-level section
    subtree_end: dict = field(default_factory=dict)  # section id -> end of its last descendant

    def __post_init__(self):
        top = None
        for i, s in enumerate(self.sections):
            if s.parent is None:
                top = s.id
            self.parts[s.id] = top
            later = [t for t in self.sections[i + 1 :] if t.level <= s.level]
            self.subtree_end[s.id] = later[0].start if later else len(self.text)

    def section(self, sid: str) -> Section:
        return next(s for s in self.sections if s.id == sid)

    def own(self, s: Section) -> str:
        return self.text[s.start : s.end]


def _spaced(text: str) -> str:
    return re.sub(r"[ \u3000\u00a0]+", " ", text).strip()


def parse_jiaodong(text: str, plan: str = JIAODONG) -> PlanText:
    """The covering notice, the plan's own contents list, 前言, then 14 chapters of
    sections, with the 专栏 tables inside the sections they stand in."""
    title = text.index("胶东经济圈“十四五”一体化发展规划\n")
    # The body begins at the second 前言: the first is a line of the contents list.
    heads = [m for m in _HEADING.finditer(text) if m.start() > text.index("第十四章", title)]
    body = next(i for i, m in enumerate(heads) if re.sub(r"\s", "", m.group(1)) == "前言")
    heads = heads[body:]
    sections = [
        Section("通知", plan, "通知", 1, None, 0, title, 0),
        Section("目录", plan, "目录", 1, None, title, heads[0].start(), title),
    ]
    chapter = section = None
    for i, m in enumerate(heads):
        start, end = m.start(), heads[i + 1].start() if i + 1 < len(heads) else len(text)
        line_end = text.index("\n", start) if "\n" in text[start:end] else end
        head = _spaced(text[start:line_end])
        word = m.group(1)
        if word.startswith("前"):
            sid, level, parent = "前言", 1, None
            head = "前言"
        elif word.endswith("章"):
            chapter, section = word, None
            sid, level, parent = word, 1, None
        elif word.endswith("节"):
            section = sid = chapter + word
            level, parent = 2, chapter
        else:
            sid, level, parent = word, 3, section or chapter
        sections.append(Section(sid, plan, head, level, parent, start, end, line_end))
    return PlanText(plan, text, sections)


_PARTS = ("一、总体要求", "二、重点任务", "三、保障措施")


def parse_docking(text: str, plan: str) -> PlanText:
    """The republishing page's preamble with the office's notice, the plan's title and
    purpose, then its three parts: 总体要求, 重点任务 in six groups of numbered tasks
    (21 in all), 保障措施."""
    title = text.index("山东省深入落实区域协调发展战略深度对接京津冀和长三角行动方案 (")
    marks = [("方案通知", 1, None, 0, title), ("方案前言", 1, None, title, text.index("。", title) + 1)]
    at = text.index(_PARTS[0])
    marks.append(("总体要求", 1, None, at, at + len(_PARTS[0])))
    at = text.index(_PARTS[1], at)
    marks.append(("重点任务", 1, None, at, at + len(_PARTS[1])))
    n = 1
    for g in "一二三四五六":
        at = text.index(f"({g})", at)
        marks.append((f"({g})", 2, "重点任务", at, text.index("。", at) + 1))
        group = f"({g})"
        following = text.find(f"({NUMERALS[NUMERALS.index(g) + 1]})", at) if g != "六" else text.index(_PARTS[2])
        while (found := text.find(f"{n}.", at, following)) >= 0 and text[found - 1] in "。)":
            marks.append((f"任务{n}", 3, group, found, found))
            at, n = found + 1, n + 1
    at = text.index(_PARTS[2], at)
    marks.append(("保障措施", 1, None, at, at + len(_PARTS[2])))
    sections = []
    for i, (sid, level, parent, start, body) in enumerate(marks):
        end = marks[i + 1][3] if i + 1 < len(marks) else len(text)
        if sid.startswith("任务"):
            head = text[start : text.index("。", start)]
        elif sid in ("方案通知", "方案前言"):
            head = {"方案通知": "通知", "方案前言": "方案"}[sid]
        else:
            head = text[start:body].rstrip("。")
        sections.append(Section(sid, plan, head, level, parent, start, end, body))
    return PlanText(plan, text, sections)


# How each plan's text is divided; a plan without one has no reader.
PARSERS = {JIAODONG: parse_jiaodong, plans.DOCKING: parse_docking}


def parse(plan_id: str) -> PlanText:
    return PARSERS[plan_id](plans.text(plan_id), plan_id)


@dataclass(frozen=True)
class Library:
    """The plans' texts, every quote in them, and each section's places: made once."""

    texts: dict  # plan id -> PlanText
    quotes: tuple
    sections: dict  # section id -> Section, of every plan
    places: dict  # section id -> ids of the places quoted in it or in a section below it

    @classmethod
    def make(cls, store) -> Library:
        texts = {p.id: parse(p.id) for p in plans.REGISTRY if p.id in PARSERS}
        quoted = tuple(sorted(quotes(store, texts), key=lambda q: (q.plan, q.start, -q.end)))
        sections = {s.id: s for doc in texts.values() for s in doc.sections}
        places: dict = {sid: {} for sid in sections}
        for q in quoted:
            sid = q.section
            while q.kind == "place" and sid is not None:
                places[sid][q.key] = True  # (a dict: the text's order, each place once)
                sid = sections[sid].parent
        return cls(texts, quoted, sections, {sid: tuple(ids) for sid, ids in places.items()})


def section_of(ref: str) -> str | None:
    """The section a reference names: 第四章·专栏2·海洋高端装备(1) -> 专栏2, 第十章第二节 -> itself,
    规划 第一章第一节 发展基础 -> 第一章第一节, 任务7·(二) -> 任务7; None for a source outside the plans."""
    ref = ref.removeprefix("规划 ")
    if m := re.search(r"专栏\d", ref):
        return m.group(0)
    if m := re.match(rf"^(前言|第[{NUMERALS}]{{1,3}}章(第[{NUMERALS}]{{1,3}}节)?|任务\d{{1,2}})", ref):
        return m.group(1)
    return None


def quotes(store, texts: dict[str, PlanText]) -> list[Quote]:
    """Every quote of a place, a task, a flow, a figure or a city's positioning, placed
    in the section its reference names; a quote not found there is left out (the tests
    hold that none is)."""
    rows = []
    for r in store.features.itertuples(index=False):
        rows.append((r.plan, r.plan_ref, r.quote, "place", r.id))
        if r.also:
            plan, ref, quote = r.also.split("|")
            rows.append((plan, ref, quote, "place", r.id))
    for r in store.tasks.itertuples(index=False):
        rows.append((r.plan, f"任务{r.number}", r.quote, "task", str(r.number)))
    for r in store.flows.itertuples(index=False):
        rows.append((r.plan, f"任务{r.task}", r.quote, "flow", f"{r.task}|{r.city}|{r.partner}"))
    for i, r in enumerate(store.indicators.itertuples(index=False)):
        rows.append((r.plan, r.source, r.source_quote, "figure", str(i)))
    for r in store.cities.itertuples(index=False):
        rows.append((r.plan, r.positioning_ref, r.positioning_zh, "city", r.adcode))
    out = []
    for plan, ref, words, kind, key in rows:
        found = find(texts.get(plan), section_of(ref), words)
        if found is not None:
            out.append(Quote(plan, section_of(ref), *found, kind, key))
    return out


def find(doc: PlanText | None, sid: str | None, words: str) -> tuple[int, int] | None:
    """Where the words stand inside the section (its subtree included), or None. A run of
    spaces matches any run (the published headings use no-break spaces, quotes plain ones)."""
    if doc is None or sid not in doc.parts or not words.strip():
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words.split()))
    m = pattern.search(doc.text, doc.section(sid).start, doc.subtree_end[sid])
    return m.span() if m else None
