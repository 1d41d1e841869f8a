"""Who may see and attach documents on bulletins (``coordination.attachments``): its
readers see them; its author and the CSIR attach."""

from __future__ import annotations

from coordination.attachments.providers import Provider, register
from coordination.models import User
from coordination.people import permissions as policy
from coordination.regional.bulletins.models import Bulletin
from coordination.regional.bulletins.permissions import visible_bulletins


def _reads(user: User, bulletin: Bulletin) -> bool:
    return visible_bulletins(user).filter(pk=bulletin.pk).exists()


def _attaches(user: User, bulletin: Bulletin) -> bool:
    return bulletin.author_id == user.pk or policy.is_csir(user)


def register_providers() -> None:
    register(Bulletin, Provider(may_see=_reads, may_attach=_attaches))
