"""Stored files read back through the storage API, checked against their SHA-256.

Whatever the storage (the local MEDIA_ROOT or S3-compatible object storage), a download
reads the file through ``storage.open`` into a spooled copy while hashing it, and hands
the copy to the response only when the hash is the one recorded at write time: what is
checked is exactly what is sent, and a damaged or replaced file is never streamed.
"""

from __future__ import annotations

import hashlib
import tempfile
from typing import IO

from django.core.files.storage import Storage


def _object_storage_errors() -> tuple[type[Exception], ...]:
    try:
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]
    except ImportError:  # object storage not installed: only the local folder's OSError
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


#: What a storage raises when it cannot be reached or refuses for now: the local folder's
#: OSError, the object store's connection and service errors. Worth another try later.
STORAGE_ERRORS: tuple[type[Exception], ...] = _object_storage_errors()

CHUNK = 1 << 20
#: Up to this size the copy stays in memory; a larger one goes to a temporary file.
IN_MEMORY = 8 << 20


class ChecksumMismatch(Exception):
    """The stored file is not the one recorded (altered, truncated or replaced)."""

    def __init__(self, name: str, expected: str, found: str):
        super().__init__(f"{name}: SHA-256 {found[:12]}…, recorded {expected[:12]}…")
        self.name, self.expected, self.found = name, expected, found


def verified_copy(storage: Storage, name: str, sha256: str) -> IO[bytes]:
    """A copy of the stored file ``name``, at its start, after checking its SHA-256.

    Raises FileNotFoundError (or the storage's own error for a missing object) when it is
    gone and ChecksumMismatch when it differs from ``sha256``. The caller closes the copy
    (a FileResponse does).
    """
    copy = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 (returned)
    digest = hashlib.sha256()
    try:
        with storage.open(name, "rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        found = digest.hexdigest()
        if found != sha256:
            raise ChecksumMismatch(name, sha256, found)
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy
