"""The report's sections joined by reporting.pdf_assembly, which writes each section's
objects as it reads them: a valid PDF whatever they hold, and a memory that does not grow
with the number of sections (issue 16, bounded memory).

No database: the sections are made here, with WeasyPrint as the report makes them or
with pikepdf for what WeasyPrint does not write.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pikepdf
from pypdf import PdfReader
from weasyprint import HTML

from reporting import pdf_assembly
from reporting.render import PDF_VARIANT
from tests.reporting.test_report_sections import outline

ROOT = Path(pdf_assembly.__file__).resolve().parent.parent


def section(path: Path, title: str, rows: int) -> Path:
    cells = "".join(f"<tr><td>{title} {n}</td><td>({n} 0 R)</td></tr>" for n in range(rows))
    html = (
        f'<html lang="fr"><head><title>{title}</title></head><body>'
        f"<h1>{title}</h1><h2>{title}, détail</h2>"
        f"<table><thead><tr><th>Ligne</th><th>Note</th></tr></thead>{cells}</table>"
        "</body></html>"
    )
    HTML(string=html).write_pdf(target=str(path), pdf_variant=PDF_VARIANT)
    return path


def assembled(files: list[Path], tmp_path: Path, **kwargs) -> tuple[bytes, int]:
    """The assembly run as the report runs it: a process of its own; its PDF and peak."""
    arguments = tmp_path / "arguments.json"
    arguments.write_text(json.dumps({"files": [str(f) for f in files], "links": [], **kwargs}))
    done = subprocess.run(
        [sys.executable, "-m", "reporting.pdf_assembly", str(arguments), str(tmp_path / "o.pdf")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return (tmp_path / "o.pdf").read_bytes(), json.loads(done.stdout)["peak_rss_mb"]


def test_sections_are_joined_into_one_valid_tagged_pdf(tmp_path):
    files = [section(tmp_path / f"{n}.pdf", f"Chapitre {n}", 60) for n in range(3)]
    pages = [len(PdfReader(f).pages) for f in files]
    pdf, _peak = assembled(files, tmp_path, language="nl", continued=[2])
    with pikepdf.open(io.BytesIO(pdf)) as joined:
        assert joined.check_pdf_syntax() == []
        assert len(joined.pages) == sum(pages)
        assert joined.Root.Lang == "nl"
        # The small objects are packed in compressed object streams, as qpdf wrote them.
        assert any(
            isinstance(o, pikepdf.Stream) and o.get("/Type") == "/ObjStm" for o in joined.objects
        )
        tree = joined.Root.StructTreeRoot
        (document,) = tree.K
        assert document.S == "/Document"
        # The sections' elements under the one document, their parent-tree keys apart.
        assert [str(kid.S) for kid in document.K].count("/H1") == 3
        keys = [int(page.obj.StructParents) for page in joined.pages]
        assert keys == list(range(sum(pages)))
        nums = tree.ParentTree.Nums
        assert [int(nums[i]) for i in range(0, len(nums), 2)] == keys
        assert int(tree.ParentTreeNextKey) == len(keys)
    reader = PdfReader(io.BytesIO(pdf))
    # The text, literal "(n 0 R)" included, is the sections' own.
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Chapitre 2 59" in text and "(59 0 R)" in text
    # The third file continues the second's chapter: its bookmarks go under the second's.
    assert outline(pdf) == [
        (1, "Chapitre 0", 1),
        (2, "Chapitre 0, détail", 1),
        (1, "Chapitre 1", 1 + pages[0]),
        (2, "Chapitre 1, détail", 1 + pages[0]),
        (2, "Chapitre 2", 1 + pages[0] + pages[1]),
        (3, "Chapitre 2, détail", 1 + pages[0] + pages[1]),
    ]


def test_a_reference_is_never_read_in_a_string(tmp_path):
    """Literal strings holding what looks like a reference, parentheses and backslashes
    come out as they went in; references are renumbered."""
    tricky = "voir (12 0 R) \\ et 3 0 R) fin"
    files = []
    for n in range(2):
        with pikepdf.new() as pdf:
            pdf.add_blank_page()
            note = pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Text,
                    Rect=[0, 0, 10, 10],
                    Contents=pikepdf.String(f"{tricky} {n}"),
                )
            )
            pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([note]))
            pdf.docinfo["/Title"] = pikepdf.String(tricky)
            pdf.save(tmp_path / f"{n}.pdf")
        files.append(tmp_path / f"{n}.pdf")
    pdf, _peak = assembled(files, tmp_path, language="fr")
    with pikepdf.open(io.BytesIO(pdf)) as joined:
        assert joined.check_pdf_syntax() == []
        notes = [str(page.obj.Annots[0].Contents) for page in joined.pages]
        assert notes == [f"{tricky} 0", f"{tricky} 1"]
        assert str(joined.docinfo.Title) == tricky


def test_the_assembly_memory_does_not_grow_with_the_sections(tmp_path):
    """Forty sections take hardly more memory to join than four: each section's objects
    are written as they are read. (Holding them all, as qpdf's writer did, grew about
    0.65 MB a page: some 60 MB more here.)"""
    one = section(tmp_path / "s.pdf", "Section", 150)
    pages = len(PdfReader(one).pages)
    assert pages >= 2
    _pdf, few = assembled([one] * 4, tmp_path, language="fr")
    pdf, many = assembled([one] * 40, tmp_path, language="fr")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 40 * pages
    assert many - few < 15, (few, many)
