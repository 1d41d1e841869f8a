"""``{% attachment_panel object as panel %}``: what the attachments panel of a page shows.

Templates never decide permissions: the panel asks the object's registered provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.db.models import Model

from coordination.attachments import permissions, selectors
from coordination.attachments.forms import AttachmentForm
from coordination.attachments.models import Attachment
from coordination.attachments.providers import provider_for

register = template.Library()


@dataclass
class Panel:
    kind: str
    object: Model
    dom_id: str
    current: list[Attachment] = field(default_factory=list)
    withdrawn: list[Attachment] = field(default_factory=list)
    may_attach: bool = False
    form: AttachmentForm | None = None
    next: str = ""


@register.simple_tag(takes_context=True)
def attachment_panel(context: Any, obj: Model | None) -> Panel | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or user is None or not user.is_authenticated:
        return None
    provider = provider_for(type(obj))
    if provider is None or not provider.may_see(user, obj):
        return None
    kind = permissions.kind_of(obj)
    items = selectors.attachments_of(obj)
    may_attach = provider.may_attach(user, obj)
    form = context.get("attachment_form") if may_attach else None
    return Panel(
        kind=kind,
        object=obj,
        dom_id=f"attachments-{kind.replace('.', '-')}-{obj.pk}",
        current=[item for item in items if not item.is_withdrawn],
        withdrawn=[item for item in items if item.is_withdrawn],
        may_attach=may_attach,
        form=form or (AttachmentForm(target=obj) if may_attach else None),
        next=context.get("attachment_next") or request.get_full_path(),
    )
