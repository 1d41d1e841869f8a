"""The sections of a big report joined into one tagged PDF, written as they are read.

Free of Django so that :func:`main` can run it in a process of its own
(``python -m reporting.pdf_assembly ARGS.json OUT.pdf``, see
:func:`reporting.render.assemble_apart`).

Why not qpdf's writer (pikepdf ``Pdf.save``): it holds every object of the report until
it writes it, about 1.9 KB an object and some 265 objects a page (three in five are the
structure tree's elements), so its peak grew with the report, 0.65 MB a page: 349 MB at
536 pages, past 400 MB near 230 hotspots (issue 16). Here each section is opened with
pikepdf on its own, its objects are renumbered and written to the output at once, and it
is closed before the next: what stays in memory is one section's objects, the offsets
of the objects written (a few bytes each) and the report's outline, parent tree and
pages (numbers). The small objects are packed into compressed object streams and the
cross-reference table is a compressed stream, as qpdf wrote them.
"""

from __future__ import annotations

import array
import hashlib
import json
import re
import sys
import zlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pikepdf

#: A reference ``12 0 R`` in qpdf's unparsed text, or a literal string (skipped: qpdf
#: escapes every parenthesis and backslash in it, so a string cannot end early and a
#: text such as "(see 12 0 R)" is never taken for a reference).
_TOKEN = re.compile(rb"\((?:[^\\)]|\\.)*\)|(?<![^\s\[<])(\d+) (\d+) R(?![^\s\]>/\[<(])", re.S)

#: Small objects packed by object stream (qpdf writes 100).
_PACK = 100

#: The keys of the first section's catalog kept in the report's: the viewer's
#: preferences (the title shown), the XMP metadata (PDF/UA identification), the page mode.
_CATALOG = ("/ViewerPreferences", "/Metadata", "/PageMode")


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float | Decimal) else None


def _real(value: float) -> bytes:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode()


def _text(value: str) -> bytes:
    return bytes(pikepdf.String(value).unparse())


@dataclass
class _Bookmark:
    title: str
    page: int | None  # in the report, from 0
    left: float | None
    top: float | None
    closed: bool
    children: list[_Bookmark] = field(default_factory=list)

    def visible(self) -> int:
        """The descendants shown when this bookmark is open (the outline's ``/Count``)."""
        return sum(1 + (0 if child.closed else child.visible()) for child in self.children)


class _Writer:
    """A PDF written object by object: the small ones in object streams, the streams and
    object streams at their offsets, the cross-reference stream at the end."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        # Per object number: kind (0 free, 1 at an offset, 2 in an object stream), then
        # the offset or the object stream's number, then the index in it.
        self.kinds = array.array("B", [0])
        self.first = array.array("Q", [0])
        self.second = array.array("H", [65535])
        self.packed: list[tuple[int, bytes]] = []
        self.out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        self.kinds.append(0)
        self.first.append(0)
        self.second.append(0)
        return len(self.kinds) - 1

    def _at(self, number: int) -> None:
        self.kinds[number], self.first[number], self.second[number] = 1, self.out.tell(), 0

    def object(self, number: int, body: bytes) -> None:
        self.packed.append((number, body))
        if len(self.packed) >= _PACK:
            self._pack()

    def stream(self, number: int, dictionary: bytes, data: bytes) -> None:
        """``dictionary`` without its ``>>`` (the length is added here)."""
        self._at(number)
        self.out.write(b"%d 0 obj\n%s /Length %d >>\nstream\n" % (number, dictionary, len(data)))
        self.out.write(data)
        self.out.write(b"\nendstream\nendobj\n")

    def _pack(self) -> None:
        if not self.packed:
            return
        number = self.reserve()
        header, bodies, offset = [], [], 0
        for index, (packed, body) in enumerate(self.packed):
            header.append(b"%d %d" % (packed, offset))
            bodies.append(body)
            offset += len(body) + 1
            self.kinds[packed], self.first[packed], self.second[packed] = 2, number, index
        head = b" ".join(header) + b"\n"
        data = zlib.compress(head + b"\n".join(bodies) + b"\n")
        dictionary = b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (
            len(self.packed),
            len(head),
        )
        self.packed = []
        self.stream(number, dictionary, data)

    def finish(self, trailer: bytes) -> None:
        """Writes the cross-reference stream; ``trailer``: its keys (``/Root``, ...)."""
        self._pack()
        number = self.reserve()
        self._at(number)
        rows = bytearray()
        for kind, first, second in zip(self.kinds, self.first, self.second, strict=True):
            rows += kind.to_bytes(1, "big") + first.to_bytes(5, "big") + second.to_bytes(2, "big")
        data = zlib.compress(bytes(rows))
        start = self.out.tell()
        self.out.write(
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 5 2 ] %s /Filter /FlateDecode"
            b" /Length %d >>\nstream\n" % (number, len(self.kinds), trailer, len(data))
        )
        self.out.write(data)
        self.out.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)


class _Section:
    """One section's objects written with the report's numbers: what it refers to is
    written too (and only that), each object once; ``fixed`` maps the section's own
    page tree, structure tree root and document element to the report's."""

    def __init__(self, writer: _Writer, fixed: dict[tuple[int, int], int]):
        self.writer = writer
        self.numbers = dict(fixed)
        self.waiting: list[tuple[int, int]] = []

    def number(self, objgen: tuple[int, int]) -> int:
        number = self.numbers.get(objgen)
        if number is None:
            number = self.numbers[objgen] = self.writer.reserve()
            self.waiting.append(objgen)
        return number

    def renumber(self, text: bytes) -> bytes:
        def replace(match: re.Match[bytes]) -> bytes:
            if match.group(1) is None:
                return match.group(0)
            return b"%d 0 R" % self.number((int(match.group(1)), int(match.group(2))))

        return _TOKEN.sub(replace, text)

    def value(self, obj: Any) -> bytes:
        """A value of the section as the report writes it (references renumbered)."""
        if isinstance(obj, pikepdf.Object):
            if obj.is_indirect:
                return b"%d 0 R" % self.number(obj.objgen)
            return self.renumber(bytes(obj.unparse()))
        return _scalar(obj)

    def follow(self, objgen: tuple[int, int]) -> None:
        """Writes the object the report numbered already (a page) as the section's."""
        self.waiting.append(objgen)

    def write(self, source: pikepdf.Pdf) -> None:
        """Writes every object referred to so far, and what they refer to."""
        while self.waiting:
            objgen = self.waiting.pop()
            number = self.numbers[objgen]
            obj = source.get_object(objgen)
            if isinstance(obj, pikepdf.Stream):
                # Its length is the writer's; qpdf gives the data as it is in the file.
                keys = pikepdf.Dictionary(
                    {k: v for k, v in obj.stream_dict.items() if k != "/Length"}
                )
                dictionary = self.renumber(bytes(keys.unparse()))
                self.writer.stream(number, dictionary.rstrip()[:-2].rstrip(), obj.read_raw_bytes())
            else:
                self.writer.object(number, self.renumber(bytes(obj.unparse(resolved=True))))


def _scalar(value: Any) -> bytes:
    """A number, boolean or null as pikepdf gives them (Python's)."""
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    return _real(float(value))


def _nums(node: Any) -> Iterator[tuple[int, Any]]:
    """The (key, value) pairs of a number tree (the parent tree), in order."""
    if node is None:
        return
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums), 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", []):
        yield from _nums(kid)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _outline(source: pikepdf.Pdf, first: int) -> list[_Bookmark]:
    """The section's bookmarks, pointing to its pages in the report (``first`` on)."""
    index = {page.obj.objgen: i for i, page in enumerate(source.pages)}

    def copy(item: pikepdf.OutlineItem) -> _Bookmark:
        destination = item.destination
        page: int | None = None
        left: float | None = None
        top: float | None = None
        if isinstance(destination, pikepdf.Array) and len(destination):
            found = index.get(destination[0].objgen)
            page = None if found is None else first + found
            if len(destination) >= 4 and destination[1] == pikepdf.Name.XYZ:
                left, top = _number(destination[2]), _number(destination[3])
        children = [copy(child) for child in item.children]
        return _Bookmark(str(item.title), page, left, top, bool(item.is_closed), children)

    with source.open_outline() as outline:
        return [copy(item) for item in outline.root]


class _Report:
    """What the report keeps of its sections until its end: numbers, not objects."""

    def __init__(self, writer: _Writer, pages: int):
        self.writer = writer
        self.catalog = writer.reserve()
        self.page_tree = writer.reserve()
        self.structure = writer.reserve()
        self.document = writer.reserve()
        self.pages = [writer.reserve() for _ in range(pages)]
        self.kids: list[bytes] = []  # the document element's
        self.nums: list[tuple[int, int]] = []  # the parent tree's (key, object)
        self.next_key = 0
        self.bookmarks: list[_Bookmark] = []
        self.kept: dict[str, bytes] = {}  # of the first section's catalog
        self.info: int | None = None  # the document information dictionary's number
        self.annotations: dict[int, list[int]] = {}  # page index: links' numbers

    def add(self, source: pikepdf.Pdf, first: int, *, first_section: bool) -> None:
        fixed: dict[tuple[int, int], int] = {}
        for i, page in enumerate(source.pages):
            fixed[page.obj.objgen] = self.pages[first + i]
            parent = page.obj.get("/Parent")
            if parent is not None and parent.is_indirect:
                fixed[parent.objgen] = self.page_tree
        tree = source.Root.get("/StructTreeRoot")
        documents = _as_list(tree.get("/K")) if tree is not None else []
        if tree is not None and tree.is_indirect:
            fixed[tree.objgen] = self.structure
        for document in documents:
            if isinstance(document, pikepdf.Dictionary) and document.is_indirect:
                fixed[document.objgen] = self.document
        section = _Section(self.writer, fixed)
        offset = self.next_key
        for i, page in enumerate(source.pages):
            obj = page.obj
            if "/StructParents" in obj:
                obj.StructParents = int(obj.StructParents) + offset
            annotations = obj.get("/Annots")
            for annotation in _as_list(annotations):
                if isinstance(annotation, pikepdf.Dictionary) and "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
            links = self.annotations.get(first + i, [])
            if links:
                # The links written by the report, referred to by numbers it reserved.
                placeholders = [source.make_indirect(pikepdf.Dictionary()) for _ in links]
                for placeholder, number in zip(placeholders, links, strict=True):
                    section.numbers[placeholder.objgen] = number
                if annotations is None:
                    obj.Annots = pikepdf.Array(placeholders)
                else:
                    annotations.extend(placeholders)
            section.follow(obj.objgen)
        for document in documents:
            for kid in _as_list(document.get("/K")):
                if isinstance(kid, pikepdf.Dictionary) and not kid.is_indirect:
                    kid = source.make_indirect(kid)
                    kid.P = document
                self.kids.append(section.value(kid))
        for key, value in _nums(tree.get("/ParentTree") if tree is not None else None):
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                value = source.make_indirect(value)
            self.nums.append((key + offset, section.number(value.objgen)))
            self.next_key = max(self.next_key, key + offset + 1)
        if first_section:
            info = source.trailer.get("/Info")
            if isinstance(info, pikepdf.Dictionary):
                if not info.is_indirect:
                    info = source.make_indirect(info)
                self.info = section.number(info.objgen)
            for name in _CATALOG:
                if name in source.Root:
                    self.kept[name] = section.value(source.Root[name])
        section.write(source)

    def link(self, page: int) -> int:
        number = self.writer.reserve()
        self.annotations.setdefault(page, []).append(number)
        return number

    def finish(self, language: str, links: dict[int, tuple[int, tuple]]) -> None:
        write = self.writer.object
        for number, (target, (x1, y1, x2, y2, x, y)) in links.items():
            write(
                number,
                b"<< /Type /Annot /Subtype /Link /Rect [ %s ] /Border [ 0 0 0 ] /F 4"
                b" /Dest [ %d 0 R /XYZ %s %s 0 ] >>"
                % (
                    b" ".join(_real(v) for v in (x1, y1, x2, y2)),
                    self.pages[target],
                    _real(x),
                    _real(y),
                ),
            )
        write(
            self.page_tree,
            b"<< /Type /Pages /Kids [ %s ] /Count %d >>"
            % (b" ".join(b"%d 0 R" % n for n in self.pages), len(self.pages)),
        )
        catalog = [b"/Type /Catalog /Pages %d 0 R" % self.page_tree]
        if self.kids:
            parent_tree = self.writer.reserve()
            write(
                parent_tree,
                b"<< /Nums [ %s ] >>" % b" ".join(b"%d %d 0 R" % pair for pair in self.nums),
            )
            write(
                self.structure,
                b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R"
                b" /ParentTreeNextKey %d >>" % (self.document, parent_tree, self.next_key),
            )
            write(
                self.document,
                b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>"
                % (self.structure, b" ".join(self.kids)),
            )
            catalog.append(b"/StructTreeRoot %d 0 R /MarkInfo << /Marked true >>" % self.structure)
        else:
            write(self.structure, b"null")
            write(self.document, b"null")
        if self.bookmarks:
            catalog.append(b"/Outlines %d 0 R" % self._outline())
        for key, value in self.kept.items():
            catalog.append(key.encode() + b" " + value)
        catalog.append(b"/Lang " + _text(language))
        write(self.catalog, b"<< " + b" ".join(catalog) + b" >>")
        info = b"" if self.info is None else b" /Info %d 0 R" % self.info
        digest = hashlib.md5(  # an identifier of the file, not a protection
            b"%d %d %s %s" % (len(self.pages), self.next_key, language.encode(), info),
            usedforsecurity=False,
        ).hexdigest()
        self.writer.finish(
            b"/Root %d 0 R%s /ID [ <%s> <%s> ]"
            % (self.catalog, info, digest.encode(), digest.encode())
        )

    def _outline(self) -> int:
        root = self.writer.reserve()

        def items(bookmarks: list[_Bookmark], parent: int) -> tuple[int, int]:
            numbers = [self.writer.reserve() for _ in bookmarks]
            for i, (bookmark, number) in enumerate(zip(bookmarks, numbers, strict=True)):
                keys = [b"/Title " + _text(bookmark.title), b"/Parent %d 0 R" % parent]
                if i:
                    keys.append(b"/Prev %d 0 R" % numbers[i - 1])
                if i + 1 < len(numbers):
                    keys.append(b"/Next %d 0 R" % numbers[i + 1])
                if bookmark.children:
                    first, last = items(bookmark.children, number)
                    count = bookmark.visible()
                    keys.append(
                        b"/First %d 0 R /Last %d 0 R /Count %d"
                        % (first, last, -count if bookmark.closed else count)
                    )
                if bookmark.page is not None:
                    keys.append(
                        b"/Dest [ %d 0 R /XYZ %s %s 0 ]"
                        % (
                            self.pages[bookmark.page],
                            b"null" if bookmark.left is None else _real(bookmark.left),
                            b"null" if bookmark.top is None else _real(bookmark.top),
                        )
                    )
                self.writer.object(number, b"<< " + b" ".join(keys) + b" >>")
            return numbers[0], numbers[-1]

        first, last = items(self.bookmarks, root)
        top = _Bookmark("", None, None, None, False, self.bookmarks)
        self.writer.object(
            root,
            b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
            % (first, last, top.visible()),
        )
        return root


def assemble(
    files: Sequence[Path],
    out: IO[bytes],
    *,
    language: str,
    links: Iterable[tuple[int, int, tuple]],
    continued: Collection[int] = (),
) -> int:
    """The sections' PDFs in ``files`` joined into one tagged PDF written to ``out``;
    returns its number of pages.

    Kept: pages, embedded fonts, the first file's metadata (document info and XMP), the
    document language, each section's bookmarks, and the tagging: the structure trees
    are merged into one, each section's ``/Document`` element giving its children to the
    report's, its parent tree's keys (pages' ``/StructParents``, annotations'
    ``/StructParent``) shifted past the previous sections'. ``links`` are the contents'
    links to the other sections: (page index, target page index, (x1, y1, x2, y2, x, y))
    in PDF points. ``continued``: the indexes of the files that continue the previous
    file's chapter, their bookmarks (its sections') go under the last bookmark before them.

    One section is open at a time, and its objects are written as they are read (see the
    module's docstring). Not kept, as before: a section's named destinations.
    """
    counts = []
    for path in files:
        with pikepdf.open(path) as source:
            counts.append(len(source.pages))
    writer = _Writer(out)
    report = _Report(writer, sum(counts))
    targets: dict[int, tuple[int, tuple]] = {}
    for page, target, rectangle in links:
        targets[report.link(page)] = (target, rectangle)
    first = 0
    for index, path in enumerate(files):
        with pikepdf.open(path) as source:
            report.add(source, first, first_section=index == 0)
            items = _outline(source, first)
        if index in continued and report.bookmarks:
            report.bookmarks[-1].children.extend(items)
        else:
            report.bookmarks.extend(items)
        first += counts[index]
    report.finish(language, targets)
    return first


def main(argv: Sequence[str] | None = None) -> int:
    """``ARGS.json OUT.pdf``: assembles the files ``ARGS.json`` names (``files``,
    ``language``, ``links``, ``continued``: :func:`assemble`'s arguments) into
    ``OUT.pdf``; prints the process's peak memory in MB (``VmHWM``: ``getrusage`` would
    count the parent's memory before ``exec``)."""
    args_path, out_path = argv if argv is not None else sys.argv[1:]
    args = json.loads(Path(args_path).read_text())
    links = [(page, target, tuple(rectangle)) for page, target, rectangle in args["links"]]
    with open(out_path, "wb") as out:
        assemble(
            [Path(f) for f in args["files"]],
            out,
            language=args["language"],
            links=links,
            continued=set(args.get("continued", [])),
        )
    status = Path("/proc/self/status")
    peak = [line for line in status.read_text().splitlines() if line.startswith("VmHWM:")]
    print(json.dumps({"peak_rss_mb": int(peak[0].split()[1]) // 1024 if peak else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
