"""Access to attachments: through the object they belong to (its registered provider).

404 when the person may not see the object (or it does not exist, or its kind carries no
attachments); 403 when they see it but may not attach.
"""

from __future__ import annotations

from typing import Any, Literal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404

from coordination.attachments.models import Attachment, AttachmentVersion
from coordination.attachments.providers import Provider, provider_for
from coordination.people.models import User

AttachmentPerm = Literal["view", "attach"]


def kind_of(obj: Model) -> str:
    """The kind of an object in URLs: ``app_label.model``."""
    return obj._meta.label_lower


def _allowed(user: User, obj: Any, provider: Provider, perm: AttachmentPerm) -> None:
    if not (user.is_authenticated and user.is_active) or not provider.may_see(user, obj):
        raise Http404
    if perm == "attach" and not provider.may_attach(user, obj):
        raise PermissionDenied


def may_attach(user: User, obj: Model) -> bool:
    provider = provider_for(type(obj))
    return provider is not None and user.is_active and provider.may_attach(user, obj)


def get_target_for(
    user: User, kind: str, object_id: int, perm: AttachmentPerm = "view"
) -> tuple[Model, Provider]:
    """The object ``kind``/``object_id`` that documents are attached to, and its provider."""
    app_label, _dot, model = kind.partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist as unknown:
        raise Http404 from unknown
    model_class = content_type.model_class()
    provider = provider_for(model_class) if model_class is not None else None
    if provider is None or model_class is None:
        raise Http404
    obj = model_class._default_manager.filter(pk=object_id).first()
    if obj is None:
        raise Http404
    _allowed(user, obj, provider, perm)
    return obj, provider


def get_attachment_for(user: User, pk: int, perm: AttachmentPerm = "view") -> Attachment:
    """The attachment ``pk`` with its ``target`` loaded, if ``user`` may ``perm`` it."""
    attachment = Attachment.objects.select_related("content_type").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    model_class = attachment.content_type.model_class()
    provider = provider_for(model_class) if model_class is not None else None
    if provider is None or model_class is None:
        raise Http404
    obj = model_class._default_manager.filter(pk=attachment.object_id).first()
    if obj is None:
        raise Http404
    _allowed(user, obj, provider, perm)
    attachment.target = obj
    return attachment


def get_version_for(user: User, pk: int, number: int) -> AttachmentVersion:
    """One version of an attachment, for whoever may see the object it belongs to."""
    attachment = get_attachment_for(user, pk)
    version = attachment.versions.select_related("uploaded_by").filter(number=number).first()
    if version is None:
        raise Http404
    version.attachment = attachment
    return version
