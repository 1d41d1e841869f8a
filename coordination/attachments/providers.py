"""Who may see and attach documents on each kind of object, registered by the apps above.

The attachments belong to the regional core, which knows nothing of actions, meetings or
bulletins. Each app registers, from its ``AppConfig.ready()``, a :class:`Provider` per
model; an object of a model nobody registered cannot carry attachments (404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model

if TYPE_CHECKING:
    from coordination.people.models import User


def _never(user: User | None, obj: Any) -> bool:
    return False


@dataclass(frozen=True)
class Provider:
    """``may_see``: the object is visible to the person (their attachments too; otherwise
    404). ``may_attach``: they add documents, new versions, and withdraw them (otherwise
    403). ``confidential``: the audit entries are police-judicial (seen by the circle)."""

    may_see: Callable[[User, Any], bool]
    may_attach: Callable[[User, Any], bool]
    confidential: Callable[[User | None, Any], bool] = _never


_providers: dict[str, Provider] = {}


def _key(model: type[Model]) -> str:
    return model._meta.label_lower


def register(model: type[Model], provider: Provider) -> None:
    """Register (or replace) the provider of ``model``."""
    _providers[_key(model)] = provider


def provider_for(model: type[Model]) -> Provider | None:
    return _providers.get(_key(model))
