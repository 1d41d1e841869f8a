"""Writes on attachments: a new document, a new version, a withdrawal. Each is audited.

Files go through Django's storage API (the default storage, a private location that no
URL serves); the SHA-256 recorded here is checked on every download.
"""

from __future__ import annotations

import hashlib
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.attachments import filetypes
from coordination.attachments.models import Attachment, AttachmentVersion
from coordination.attachments.permissions import kind_of
from coordination.attachments.providers import Provider, provider_for
from coordination.audit import services as audit
from coordination.core.forms import MAX_TEXT_LENGTH
from coordination.people.models import User

CHUNK = 1024 * 1024


def checksum(handle: IO[bytes]) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file read from its start; the position is restored."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def _provider(obj: Model) -> Provider:
    provider = provider_for(type(obj))
    if provider is None:
        raise PermissionDenied
    return provider


def _require_attach(by: User, obj: Model) -> Provider:
    """Services check their actor too: a command or the admin obeys the views' rules."""
    provider = _provider(obj)
    if not (by.is_active and provider.may_see(by, obj) and provider.may_attach(by, obj)):
        raise PermissionDenied
    return provider


def _store(attachment: Attachment, upload: File, *, number: int, by: User) -> AttachmentVersion:
    name = filetypes.safe_name(upload.name or "")
    kind = filetypes.check(upload, name, upload.size)
    digest, size = checksum(upload)
    version = AttachmentVersion(
        attachment=attachment,
        number=number,
        original_name=name,
        media_type=kind.media_type,
        size=size,
        sha256=digest,
        uploaded_by=by,
    )
    # The storage name comes from upload_to (random); the uploaded name is never a path.
    version.file.save(name, upload, save=False)
    version.save()
    return version


def target_of(attachment: Attachment) -> Model:
    """The object ``attachment`` belongs to (loaded by the access helper)."""
    obj = attachment.target
    if not isinstance(obj, Model):
        raise PermissionDenied
    return obj


def _record(action: str, *, by: User, attachment: Attachment, obj: Model, **changes: Any) -> None:
    provider = _provider(obj)
    audit.record(
        actor=by,
        action=action,
        target=attachment,
        changes={"attached_to": obj, "object": f"{kind_of(obj)}:{obj.pk}", **changes},
        police_judicial=provider.confidential(by, obj),
    )


@transaction.atomic
def attachment_add(*, obj: Model, upload: File, by: User) -> Attachment:
    """Attach ``upload`` to ``obj`` as a new document (version 1).

    Raises ValidationError when the file is too large, empty, of a kind not allowed or not
    what its name says; PermissionDenied when ``by`` may not attach to ``obj``.
    """
    _require_attach(by, obj)
    attachment = Attachment.objects.create(
        content_type_id=_content_type_id(obj),
        object_id=obj.pk,
        name=filetypes.safe_name(upload.name or ""),
        created_by=by,
    )
    version = _store(attachment, upload, number=1, by=by)
    attachment.name = version.original_name
    attachment.save(update_fields=["name"])
    _record(
        "attachment.add",
        by=by,
        attachment=attachment,
        obj=obj,
        version=version.number,
        name=version.original_name,
        size=version.size,
        sha256=version.sha256,
    )
    return attachment


def _content_type_id(obj: Model) -> int:
    return ContentType.objects.get_for_model(obj).pk


@transaction.atomic
def attachment_add_version(*, attachment: Attachment, upload: File, by: User) -> AttachmentVersion:
    """A new upload of the same document: version n+1; the older ones stay downloadable."""
    obj = target_of(attachment)
    _require_attach(by, obj)
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.is_withdrawn:
        raise ValidationError(_("This document was withdrawn: attach it again as a new one."))
    latest = attachment.versions.order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    version = _store(attachment, upload, number=number, by=by)
    before = attachment.name
    attachment.name = version.original_name
    attachment.save(update_fields=["name"])
    _record(
        "attachment.version",
        by=by,
        attachment=attachment,
        obj=obj,
        version=[latest.number if latest else None, number],
        name=[before, version.original_name],
        size=[latest.size if latest else None, version.size],
        sha256=[latest.sha256 if latest else None, version.sha256],
    )
    return version


@transaction.atomic
def attachment_withdraw(*, attachment: Attachment, by: User, reason: str) -> Attachment:
    """Withdraw a document: it leaves the list of current documents, its versions are kept
    (and stay downloadable); who, when and why are recorded. Nothing is deleted."""
    obj = target_of(attachment)
    _require_attach(by, obj)
    reason = reason.strip()[:MAX_TEXT_LENGTH]
    if not reason:
        raise ValidationError(_("Say why the document is withdrawn."))
    locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if locked.is_withdrawn:
        raise ValidationError(_("This document is already withdrawn."))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawal_reason = reason
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    _record(
        "attachment.withdraw",
        by=by,
        attachment=locked,
        obj=obj,
        withdrawn=[None, locked.withdrawn_at],
        reason=reason,
    )
    locked.target = obj
    return locked
