"""What may be attached, checked by content: the bytes must be what the name says.

The declared type of an upload and its extension are the sender's claims; the magic bytes
(and, for office documents, the structure of the zip) are the check. A program renamed
``.pdf`` is refused with a message that says why.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
HEAD = 8192
# Executables and scripts, whatever they are called (Windows PE, ELF, Mach-O, Java class,
# shell scripts): refused by name before anything else is looked at.
PROGRAM_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xca\xfe\xba\xbe",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"#!",
)
OOXML_MAIN_PART = {
    ".docx": "word/document.xml",
    ".xlsx": "xl/workbook.xml",
    ".pptx": "ppt/presentation.xml",
}
ODF_MIMETYPE = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
}


@dataclass(frozen=True)
class Kind:
    label: object  # lazy translation
    media_type: str
    matches: Callable[[IO[bytes], bytes, str], bool]


def _starts(*magic: bytes) -> Callable[[IO[bytes], bytes, str], bool]:
    return lambda handle, head, suffix: head.startswith(magic)


def _webp(handle: IO[bytes], head: bytes, suffix: str) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _ooxml(handle: IO[bytes], head: bytes, suffix: str) -> bool:
    """A zip with ``[Content_Types].xml`` and the main part of its kind (no macros)."""
    names = _zip_names(handle, head)
    if names is None or "[Content_Types].xml" not in names:
        return False
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _("Documents with macros are refused: save it without macros and try again."),
            code="macros",
        )
    return OOXML_MAIN_PART[suffix] in names


def _odf(handle: IO[bytes], head: bytes, suffix: str) -> bool:
    """A zip whose ``mimetype`` entry names its kind (OpenDocument)."""
    if _zip_names(handle, head) is None:
        return False
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            info = archive.getinfo("mimetype")
            if info.file_size > 100:
                return False
            return archive.read(info).strip() == ODF_MIMETYPE[suffix]
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return False
    finally:
        handle.seek(0)


def _zip_names(handle: IO[bytes], head: bytes) -> set[str] | None:
    """The names in a zip (its central directory only: nothing is extracted)."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return None
    finally:
        handle.seek(0)


def _text(handle: IO[bytes], head: bytes, suffix: str) -> bool:
    """Plain text in UTF-8 (as it is served), no NUL anywhere."""
    handle.seek(0)
    content = handle.read()
    handle.seek(0)
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(
            _("Save the text in UTF-8 (a choice in the “Save as” dialog) and try again."),
            code="encoding",
        ) from None
    return True


KINDS: dict[str, Kind] = {
    ".pdf": Kind(gettext_lazy("PDF"), "application/pdf", _starts(b"%PDF-")),
    ".png": Kind(gettext_lazy("PNG image"), "image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".jpg": Kind(gettext_lazy("JPEG image"), "image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": Kind(gettext_lazy("JPEG image"), "image/jpeg", _starts(b"\xff\xd8\xff")),
    ".webp": Kind(gettext_lazy("WebP image"), "image/webp", _webp),
    ".docx": Kind(
        gettext_lazy("Word document"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ooxml,
    ),
    ".xlsx": Kind(
        gettext_lazy("Excel workbook"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ooxml,
    ),
    ".pptx": Kind(
        gettext_lazy("PowerPoint presentation"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ooxml,
    ),
    ".odt": Kind(
        gettext_lazy("OpenDocument text"), "application/vnd.oasis.opendocument.text", _odf
    ),
    ".ods": Kind(
        gettext_lazy("OpenDocument spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
        _odf,
    ),
    ".txt": Kind(gettext_lazy("Text"), "text/plain; charset=utf-8", _text),
    ".csv": Kind(gettext_lazy("CSV table"), "text/csv; charset=utf-8", _text),
}


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def allowed_extensions() -> str:
    return ", ".join(sorted(KINDS))


def safe_name(name: str) -> str:
    """The uploaded name made harmless for display and Content-Disposition: no folder, no
    control character, no character a file system or a header would misread."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = re.sub(r"\s+", " ", re.sub(r"[^\w\s.()\-+,]", "_", name)).strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    suffix = f".{extension.lower()}"[:10] if extension else ""
    stem = stem.strip().lstrip(".")[: 150 - len(suffix)].strip() or "document"
    return f"{stem}{suffix}"


def check(upload: IO[bytes], name: str, size: int | None) -> Kind:
    """The kind of ``upload`` if it may be attached; ValidationError (with a message the
    person can act on) if not. The size is checked first, before anything is read."""
    limit = max_bytes()
    if size is None or size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size or 0), "limit": filesizeformat(limit)},
            code="size",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    suffix = PurePath(safe_name(name)).suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        raise ValidationError(
            _("This kind of file cannot be attached. Allowed: %(allowed)s.")
            % {"allowed": allowed_extensions()},
            code="extension",
        )
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    if head.startswith(PROGRAM_SIGNATURES):
        raise ValidationError(
            _("This file is a program, not a %(kind)s, whatever its name says: it is refused.")
            % {"kind": kind.label},
            code="program",
        )
    if not kind.matches(upload, head, suffix):
        raise ValidationError(
            _(
                "The content of this file is not a %(kind)s, as its name (%(suffix)s) says: "
                "it is refused."
            )
            % {"kind": kind.label, "suffix": suffix},
            code="content",
        )
    upload.seek(0)
    return kind
