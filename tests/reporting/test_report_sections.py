"""Big regional reports are rendered section by section (bounded memory) and assembled.

The same report rendered as one document and by sections must read the same: page
numbers in the footers, the contents' page of each hotspot, the outline, the text.
"""

from __future__ import annotations

import copy
import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pikepdf
import pytest
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from hotspots.models import Hotspot
from reporting import render, services
from tests.reporting import test_reporting as base
from tests.reporting.test_pdf_accessibility import alts, info_fields, pdf_objects, pdfinfo
from tests.reporting.test_reporting import build

pytestmark = pytest.mark.django_db
cast, region, media = base.cast, base.region, base.media


def page_texts(pdf: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        return [
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), "-layout", handle.name, "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for n in range(1, pages + 1)
        ]


def _words(text: str, *, total: int | None = None) -> str:
    """The page's text without its layout, and without the total of its page number."""
    text = text.rstrip()
    if total is not None:
        text = re.sub(rf"\s*/\s*{total}$", "", text)
    return " ".join(text.split())


def outline(pdf: bytes) -> list[tuple[int, str, int]]:
    """(level, title, page number) of every bookmark."""
    reader = PdfReader(io.BytesIO(pdf))
    items: list[tuple[int, str, int]] = []

    def walk(entries, level):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, level + 1)
            else:
                items.append((level, entry.title, reader.get_destination_page_number(entry) + 1))

    walk(reader.outline, 1)
    return items


def link_targets(pdf: bytes, page_index: int) -> list[int]:
    """The page numbers the explicit-destination links of a page point to."""
    reader = PdfReader(io.BytesIO(pdf))
    targets = []
    for annotation in reader.pages[page_index].get("/Annots", []):
        dest = annotation.get_object().get("/Dest")
        if isinstance(dest, list):
            targets.append(reader.get_page_number(dest[0].get_object()) + 1)
    return targets


# One hotspot per section in French: the chapters come from several documents.
@pytest.mark.parametrize(("language", "per_section"), [("fr", 1), ("nl", 8)])
def test_a_report_rendered_by_sections_reads_like_the_single_document(
    region, language, per_section, monkeypatch
):
    monkeypatch.setattr(render, "SECTION_HOTSPOTS", per_section)
    (report,) = build(region, languages=(language,))
    single, single_pages = render.render_pdf(report.snapshot, language=language, sections=False)
    pdf, pages = render.render_pdf(report.snapshot, language=language, sections=True)
    hotspots = list(Hotspot.objects.filter(pk__in=[region.midi.pk, region.molenbeek.pk]))
    with translation.override(language):
        names = {
            h.code: f"{h.code} {getattr(h, f'name_{language}') or h.name_fr}" for h in hotspots
        }
        contents = gettext("Contents")

    assert pages == single_pages == len(PdfReader(io.BytesIO(pdf)).pages)
    texts = page_texts(pdf)
    # Consecutive page numbers in the footers (without the total, unknown while the
    # sections are rendered; the single document gives it).
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"\s{number}\s*$", text.rstrip()), (number, text[-200:])
    # The same text as the single document, page by page (numbers and contents included).
    assert [_words(t) for t in texts] == [_words(t, total=pages) for t in page_texts(single)]

    # The contents give each hotspot's page; that page starts the hotspot's chapter.
    (toc_index,) = [i for i, text in enumerate(texts) if contents in text and "....." in text]
    toc = texts[toc_index]
    toc_pages = {}
    for code, title in names.items():
        match = re.search(rf"{re.escape(title)}\s*\.+\s*(\d+)", toc)
        assert match, (title, toc)
        toc_pages[code] = int(match.group(1))
    assert len(set(toc_pages.values())) == len(names) > 1
    bookmarks = outline(pdf)
    for code, title in names.items():
        page = toc_pages[code]
        assert title in texts[page - 1]
        # One top-level bookmark per hotspot, to the page the contents give.
        assert [b for b in bookmarks if b[1] == title] == [(1, title, page)]
        assert title not in texts[page - 2].split("\n")[0]  # the running header before
    # The contents' lines link to those pages, and to the late actions' chapter (a
    # section of its own too).
    with translation.override(language):
        (overview,) = [b[2] for b in bookmarks if b[1] == gettext("Late and escalated actions")]
    expected = sorted([overview, *toc_pages.values()])
    assert set(expected) <= set(link_targets(pdf, toc_index))
    # The lines of the contents link, in order, to the pages they give (a line may be
    # several link boxes: its text and its leader).
    toc_numbers = [int(n) for n in re.findall(r"\.{3,}\s*(\d+)\s*$", toc, re.MULTILINE)]
    assert len(toc_numbers) == len(names) + 6
    targets = link_targets(pdf, toc_index)
    assert list(dict.fromkeys(targets)) == list(dict.fromkeys(toc_numbers))
    # The same outline as the single document (chapters and their sections).
    assert bookmarks == outline(single)

    # Metadata, language and embedded fonts kept.
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == PdfReader(io.BytesIO(single)).metadata.title
    assert reader.trailer["/Root"]["/Lang"] == language
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        fonts = subprocess.run(
            ["pdffonts", handle.name], capture_output=True, text=True, check=True
        ).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all(re.search(r"\s+yes\s+yes\s+yes\s+\d+\s+\d+$", r) for r in rows), rows


def test_many_late_actions_are_rendered_by_parts_that_read_like_one_chapter(region, monkeypatch):
    """The late and escalated actions' chapter is split by its rows (OVERVIEW_ROWS), each
    part ending where a page of the single document ends: the same pages, the contents
    and the outline as the single document (issue 16, bounded memory)."""
    monkeypatch.setattr(render, "OVERVIEW_ROWS", 40)
    (report,) = build(region, languages=("fr",))
    snapshot = copy.deepcopy(report.snapshot)
    for hotspot in snapshot["hotspots"]:
        # Enough rows for several pages of both tables, escalations after late actions.
        hotspot["late"] = (hotspot["late"] * 60)[:60]
        hotspot["escalations"] = (hotspot["escalations"] * 30)[:30]
    late = sum(len(h["late"]) for h in snapshot["hotspots"])
    escalations = sum(len(h["escalations"]) for h in snapshot["hotspots"])
    assert late >= 60 and escalations >= 30
    parts = []
    original = render._overview
    monkeypatch.setattr(
        render, "_overview", lambda *a, **k: parts.append(a[2:]) or original(*a, **k)
    )
    single, single_pages = render.render_pdf(snapshot, language="fr", sections=False)
    parts.clear()
    pdf, pages = render.render_pdf(snapshot, language="fr", sections=True)
    parts = [p for p in parts if p]  # not the whole chapter of the context
    assert len(parts) >= 3  # rendered by parts of at most 40 rows
    assert all(end - start <= 40 for start, end in parts)
    assert pages == single_pages
    texts = page_texts(pdf)
    assert [_words(t) for t in texts] == [_words(t, total=pages) for t in page_texts(single)]
    with translation.override("fr"):
        chapter = gettext("Late and escalated actions")
        headings = [gettext("Late actions"), gettext("Actions escalated to the CSIR")]
    # The same outline: the escalations' heading, in a later part, under the chapter.
    bookmarks = outline(pdf)
    assert bookmarks == outline(single)
    (first,) = [b[2] for b in bookmarks if b == (1, chapter, b[2])]
    assert [b[1] for b in bookmarks if b[0] == 2 and first <= b[2]][:2] == headings
    (next_chapter,) = [b[2] for b in bookmarks if b[0] == 1 and b[2] > first][:1]
    assert next_chapter - first >= 3  # pages
    # The running header names the chapter on each of its later pages.
    for text in texts[first : next_chapter - 1]:
        assert text.lstrip().startswith(chapter), text[:200]
    # The contents give the chapter's first page, and link to it.
    (toc_index,) = [i for i, text in enumerate(texts) if "....." in text]
    assert re.search(rf"{re.escape(chapter)}\s*\.+\s*{first}\s*$", texts[toc_index], re.M)
    assert first in link_targets(pdf, toc_index)
    # The same structure tree: WeasyPrint tags each page's content apart, a table over
    # several pages is one Table element a page in the single document too.

    def structure(data: bytes) -> list[str]:
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            return _tags(pdfinfo(handle.name, "-struct-text"))

    assert structure(pdf) == structure(single)


def _tags(struct_text: str) -> list[str]:
    """The structure tree as pdfinfo prints it, without object numbers and ids; the
    contents' links to the hotspots lose their annotation object (added by pypdf)."""
    lines = (re.sub(r"\d+-(\d+-\d+)", r"N-\1", line) for line in struct_text.splitlines())
    return [line for line in lines if not re.fullmatch(r"\s*Object \d+ 0", line)]


def _snapshot(hotspots: int, late: int, kind: str = "regional") -> dict:
    return {"kind": kind, "hotspots": [{"late": [{}] * late} for _ in range(hotspots)]}


def test_only_big_regional_reports_are_rendered_by_sections():
    many = render.SECTIONS_FROM_HOTSPOTS
    assert not render.use_sections(_snapshot(many - 1, 10))
    assert render.use_sections(_snapshot(many, 10))
    # The late actions (rows of the report) count, wherever they are.
    assert render.use_sections(_snapshot(2, render.SECTIONS_FROM_ROWS // 2))
    assert not render.use_sections(_snapshot(2, render.SECTIONS_FROM_ROWS // 2 - 1))
    assert not render.use_sections(_snapshot(many, 10, kind="taskforce"))


def test_hotspots_are_grouped_into_sections_of_bounded_size(monkeypatch):
    monkeypatch.setattr(render, "SECTION_HOTSPOTS", 3)
    monkeypatch.setattr(render, "SECTION_ROWS", 100)

    def hotspot(late: int) -> dict:
        keys = ("escalations", "orders_in_force", "meetings", "displacements")
        return {"late": [{}] * late, **{key: [{}] for key in keys}}

    small = [hotspot(1) for _ in range(7)]
    assert [len(g) for g in render._groups(small)] == [3, 3, 1]
    # A big chapter closes its group early, and is a section of its own.
    big = [hotspot(10), hotspot(90), hotspot(200), hotspot(1)]
    assert [len(g) for g in render._groups(big)] == [1, 1, 1, 1]
    assert [h for g in render._groups(big) for h in g] == big


def test_a_big_report_is_built_by_sections_and_stays_tagged(region, monkeypatch):
    monkeypatch.setattr(render, "SECTIONS_FROM_HOTSPOTS", 2)
    monkeypatch.setattr(render, "SECTION_HOTSPOTS", 1)
    calls = []
    original = render.render_sections
    monkeypatch.setattr(
        render, "render_sections", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    (report,) = build(region, languages=("fr",))
    assert calls and report.pages == len(PdfReader(report.pdf.path).pages)
    # The checks of test_pdf_accessibility.check_accessible, read with pypdf where that
    # one matches WeasyPrint's exact bytes (pypdf writes dictionaries on several lines).
    path = report.pdf.path
    fields = info_fields(path)
    assert (fields["Tagged"], fields["PDF version"], fields["Form"]) == ("yes", "1.7", "none")
    with translation.override("fr"):
        assert fields["Title"] == gettext("Report to the Regional Security Council (CoReS)")
    assert 'pdfuaid:part="1"' in pdfinfo(path, "-meta")
    reader = PdfReader(path)
    root = reader.root_object
    assert root["/Lang"] == "fr"
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    structure = pdfinfo(path, "-struct")
    for tag in ("H1", "H2", "H3", "Table", "TH", "TD", "Figure", "L", "LI", "Link"):
        assert re.search(rf"^\s*{tag}\b", structure, re.MULTILINE), tag
    # The figures keep their text alternatives: the map and each chart.
    assert len(alts(pdf_objects(Path(path).read_bytes()))) == structure.count("Figure")
    # The same structure as the single document, but for its element ids.
    meta = services.render_meta(report)
    single, _pages = render.render_pdf(report.snapshot, language="fr", meta=meta, sections=False)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(single)
        handle.flush()
        expected = pdfinfo(handle.name, "-struct-text")
    assert _tags(pdfinfo(path, "-struct-text")) == _tags(expected)
    # One structure tree: the sections' parent-tree keys do not collide.
    keys = [page["/StructParents"] for page in reader.pages]
    assert len(set(keys)) == len(keys) == report.pages
    tree = reader.root_object["/StructTreeRoot"]
    (document,) = tree["/K"]
    assert document.get_object()["/S"] == "/Document"


def test_the_sections_are_assembled_in_a_process_without_django(tmp_path):
    """The assembly runs apart, Python and pikepdf only, and gives its memory back when it
    ends (issue 16, bounded memory)."""
    files = []
    for n in range(2):
        with pikepdf.new() as section:
            section.add_blank_page()
            section.save(tmp_path / f"{n}.pdf")
        files.append(tmp_path / f"{n}.pdf")
    pdf = render.assemble_apart(files, language="nl", links=[(0, 1, (0, 0, 10, 10, 0, 10))])
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2 and reader.root_object["/Lang"] == "nl"
    assert link_targets(pdf, 0) == [2]
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, reporting.pdf_assembly; print('django' in sys.modules)",
        ],
        cwd=Path(render.__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert loaded.strip() == "False"
    with pytest.raises(RuntimeError, match="PDF assembly failed"):
        render.assemble_apart([tmp_path / "missing.pdf"], language="fr", links=[])
