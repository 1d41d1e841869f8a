"""The sections of a big report joined into one tagged PDF with qpdf (pikepdf).

Free of Django so that :func:`main` can run it in a process of its own
(``python -m reporting.pdf_assembly ARGS.json OUT.pdf``, see
:func:`reporting.render.assemble_apart`): qpdf holds every object of the report while
it writes it (about 1.7 KB each: 150,000 objects, 300 MB, at 150 hotspots, mostly the
structure tree's elements), memory the rendering process, already grown by WeasyPrint's
layouts, would add to its own.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pikepdf


class _Structure:
    """The sections' structure trees (tagged PDF) merged into one for the whole report.

    Each section's ``/Document`` element gives its children to the report's, and its
    parent tree's keys (pages' ``/StructParents``, annotations' ``/StructParent``) are
    shifted past the previous sections'. Copied after the section's pages: qpdf maps
    every reference to a page or annotation it already copied to that copy.
    """

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        self.document = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, P=self.root)
        )
        self.kids = pikepdf.Array()
        self.nums = pikepdf.Array()
        self.next_key = 0

    def add(self, source: pikepdf.Pdf, first: int) -> None:
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            return
        offset = self.next_key
        parent_tree = tree.get("/ParentTree")
        nums: Any = parent_tree.get("/Nums", []) if parent_tree is not None else []
        for document in _as_list(tree.get("/K")):
            if "/P" in document:
                del document["/P"]  # not its tree: not copied
            for kid in _as_list(document.get("/K")):
                copy = _copy(self.pdf, source, kid)
                if isinstance(copy, pikepdf.Dictionary):
                    copy.P = self.document
                self.kids.append(copy)
        for i in range(0, len(nums), 2):
            key = int(nums[i]) + offset
            self.nums.append(key)
            self.nums.append(_copy(self.pdf, source, nums[i + 1]))
            self.next_key = max(self.next_key, key + 1)
        for page in self.pdf.pages[first:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset

    def finish(self) -> None:
        if not len(self.kids):
            return
        self.document.K = self.kids
        self.root.K = pikepdf.Array([self.document])
        self.root.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=self.nums))
        self.root.ParentTreeNextKey = self.next_key
        self.pdf.Root.StructTreeRoot = self.root
        self.pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def _copy(pdf: pikepdf.Pdf, source: pikepdf.Pdf, obj: Any) -> Any:
    """``obj`` of ``source`` copied into ``pdf`` (with what it refers to)."""
    if not isinstance(obj, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
        return obj
    if not obj.is_indirect:  # qpdf copies indirect objects only
        obj = source.make_indirect(obj)
    return pdf.copy_foreign(obj)


def _detach(pdf: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    """The streams copied from ``source`` into ``pdf`` given their own (still encoded)
    data, so that ``source`` can be closed: qpdf would otherwise read them from it when
    it writes ``pdf``. A stream not copied is copied here but, unreferenced, not written.
    """
    for obj in source.objects:
        if isinstance(obj, pikepdf.Stream):
            copy = pdf.copy_foreign(obj)
            copy.write(
                obj.read_raw_bytes(),
                filter=cast(Any, copy.get("/Filter")),
                decode_parms=cast(Any, copy.get("/DecodeParms")),
                type_check=False,
            )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float | Decimal) else None


def _outline(source: pikepdf.Pdf, first: int) -> list[pikepdf.OutlineItem]:
    """The section's bookmarks, pointing to its pages in the report (``first`` on)."""
    index: dict[tuple[int, int], int] = {page.obj.objgen: i for i, page in enumerate(source.pages)}

    def copy(item: pikepdf.OutlineItem) -> pikepdf.OutlineItem:
        destination = item.destination
        page: int | None = None
        left: float | None = None
        top: float | None = None
        if isinstance(destination, pikepdf.Array) and len(destination):
            page = index.get(destination[0].objgen)
            if len(destination) >= 4 and destination[1] == pikepdf.Name.XYZ:
                left, top = _number(destination[2]), _number(destination[3])
        copied = pikepdf.OutlineItem(
            item.title,
            destination=None if page is None else first + page,
            page_location=pikepdf.PageLocation.XYZ,
            left=left,
            top=top,
        )
        copied.is_closed = item.is_closed
        copied.children.extend(copy(child) for child in item.children)
        return copied

    with source.open_outline() as outline:
        return [copy(item) for item in outline.root]


#: The keys of the first section's catalog kept in the report's: the language, the
#: viewer's preferences (the title shown), the XMP metadata (PDF/UA identification).
_CATALOG = ("/Lang", "/ViewerPreferences", "/Metadata", "/PageMode")


def assemble(
    files: Sequence[Path],
    *,
    language: str,
    links: Iterable[tuple[int, int, tuple]],
    continued: Collection[int] = (),
) -> bytes:
    """The sections' PDFs in ``files`` joined into one tagged PDF, with qpdf (pikepdf).

    Kept: pages, embedded fonts, the first file's metadata (document info and XMP), the
    document language, each section's bookmarks, and the tagging: the structure trees
    are merged into one (:class:`_Structure`). ``links`` are the contents' links to the
    other sections: (page index, target page index, (x1, y1, x2, y2, x, y)) in PDF points.
    ``continued``: the indexes of the files that continue the previous file's chapter,
    their bookmarks (its sections') go under the last bookmark before them.

    The sections are opened one at a time (:func:`_detach`); what stays in memory is the
    report's objects as qpdf holds them and its streams' encoded data (a few MB). Measured
    (issue 16): about 1.9 KB an object, some 265 objects a page (two in five are the
    structure tree's Span elements, then its TD, TH and TR), so about 0.5 MB a page: qpdf
    merely reading the assembled 509-page report back holds 248 MB for its 135,000
    objects. A closed section's objects are freed. Keeping the sections open instead of
    :func:`_detach` (qpdf reading the streams from them as it writes) holds each section's
    objects as well as their copies: 527 MB instead of 321 MB for 509 pages.
    """
    with pikepdf.Pdf.new() as pdf:
        structure = _Structure(pdf)
        bookmarks: list[pikepdf.OutlineItem] = []
        for index, path in enumerate(files):
            # One section open at a time: qpdf holds every object of an open file (about
            # 1.6 KB each, tens of thousands a section with the structure tree).
            with pikepdf.open(path) as source:
                if index == 0:
                    for key, value in source.docinfo.items():
                        pdf.docinfo[key] = value
                    for key in _CATALOG:
                        if key in source.Root:
                            pdf.Root[key] = _copy(pdf, source, source.Root[key])
                first = len(pdf.pages)
                pdf.pages.extend(source.pages)
                structure.add(source, first)
                items = _outline(source, first)
                if index in continued and bookmarks:
                    bookmarks[-1].children.extend(items)
                else:
                    bookmarks.extend(items)
                _detach(pdf, source)
        structure.finish()
        with pdf.open_outline() as outline:
            outline.root.extend(bookmarks)
        for page_index, target, (x1, y1, x2, y2, x, y) in links:
            annotation = pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=[x1, y1, x2, y2],
                    Border=[0, 0, 0],
                    F=4,  # printed
                    Dest=[pdf.pages[target].obj, pikepdf.Name.XYZ, x, y, 0],
                )
            )
            page = pdf.pages[page_index].obj
            if "/Annots" not in page:
                page.Annots = pdf.make_indirect(pikepdf.Array())
            page.Annots.append(annotation)
        pdf.Root.Lang = pikepdf.String(language)
        # Written to a file, read back once: no second copy of the PDF in memory.
        with tempfile.TemporaryFile() as out:
            pdf.save(
                out,
                min_version="1.7",
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                fix_metadata_version=False,
            )
            out.seek(0)
            return out.read()


def main(argv: Sequence[str] | None = None) -> int:
    """``ARGS.json OUT.pdf``: assembles the files ``ARGS.json`` names (``files``,
    ``language``, ``links``: :func:`assemble`'s arguments) into ``OUT.pdf``; prints the
    process's peak memory in MB (``VmHWM``: ``getrusage`` would count the parent's memory
    before ``exec``)."""
    args_path, out_path = argv if argv is not None else sys.argv[1:]
    args = json.loads(Path(args_path).read_text())
    links = [(page, target, tuple(rectangle)) for page, target, rectangle in args["links"]]
    pdf = assemble(
        [Path(f) for f in args["files"]],
        language=args["language"],
        links=links,
        continued=set(args.get("continued", [])),
    )
    Path(out_path).write_bytes(pdf)
    status = Path("/proc/self/status")
    peak = [line for line in status.read_text().splitlines() if line.startswith("VmHWM:")]
    print(json.dumps({"peak_rss_mb": int(peak[0].split()[1]) // 1024 if peak else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
