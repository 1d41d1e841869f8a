"""Reads of attachments: the documents of an object, a verified copy of a version."""

from __future__ import annotations

import hashlib
import tempfile
from typing import IO

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch

from coordination.attachments.models import Attachment, AttachmentVersion

CHUNK = 1024 * 1024
# A verified copy stays in memory up to this size, then spills to a temporary file.
IN_MEMORY = 2 * 1024 * 1024


def attachments_of(obj: Model) -> list[Attachment]:
    """The documents on ``obj``, current first then withdrawn, each with its versions
    (newest first) and their uploaders: three queries whatever their number."""
    versions = AttachmentVersion.objects.select_related("uploaded_by").order_by("-number")
    return list(
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )
        .select_related("withdrawn_by")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("withdrawn_at", "-created_at", "-pk")
    )


class ChecksumMismatch(Exception):
    """The stored file is not the one recorded (tampered, truncated or replaced)."""


def verified_copy(version: AttachmentVersion) -> IO[bytes]:
    """A copy of the version's bytes, checked against its recorded SHA-256.

    The copy is what is sent, so what was checked is exactly what the person gets (a
    file changed in storage between a check and a second read could not slip through).
    Raises FileNotFoundError when the file is gone, ChecksumMismatch when it differs.
    """
    copy = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - returned
    digest, size = hashlib.sha256(), 0
    with version.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            copy.write(chunk)
    if digest.hexdigest() != version.sha256 or size != version.size:
        copy.close()
        raise ChecksumMismatch(version.pk)
    copy.seek(0)
    return copy
