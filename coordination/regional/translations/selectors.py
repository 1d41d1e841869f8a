"""The "to translate" list: texts whose translation into the other language is missing.

How to add a kind of text to the list (hotspots, police orders, bulletins…)
--------------------------------------------------------------------------

The list is the union of *providers*, one per model, registered with :func:`register`.
A provider lives in its own module of ``coordination/regional/translations/providers/``
(for instance ``providers/hotspots.py``); every module of that package is imported the
first time the list or a translate page is needed, so adding a kind of text is adding one
module, without editing this one or the views. See ``providers/taskforces.py`` for eight
of them. A provider says:

- ``key``: the name of the kind in the URL (``/translations/<key>/<pk>/``), unique;
- ``label``: what the kind is called on the page ("Action", "Police order");
- ``model``: a ``BilingualContent`` model;
- ``rows(user)``: the items ``user`` may translate that still miss a translation, in a
  **fixed number of queries** whatever their number (one ``select_related`` query as a
  rule; the list page's query count is tested), at most ``LIMIT`` of them;
- ``get(user, pk)``: the item and the fields ``user`` may translate; raise ``Http404``
  when ``user`` may not see the item, ``PermissionDenied`` when they see it but may not
  translate it;
- ``save(obj=, by=, translations=, expected=)``: the owning app's audited service, which
  checks the actor again and raises ``ValidationError``, ``PermissionDenied`` or one of
  ``conflicts`` (an exception with ``current``: the row as someone else saved it);
- ``where(obj)`` (no query: from the rows' ``select_related``) and ``url(obj)``: the
  context shown in the list and the link to the item's own page.

Who may translate what is the owning app's rule (for the task forces,
``taskforces.selectors.translations``): the CSIR everything it sees, an author their own
texts, police-judicial items only for those who see them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Field
from django.utils.functional import Promise

from coordination.core.bilingual import BilingualContent
from coordination.core.registry import PackageProviders
from coordination.models import User
from coordination.people import permissions as policy

#: The most rows one provider puts on the list: a few hundred is already a week's work.
LIMIT = 200


@dataclass(frozen=True)
class Provider:
    key: str
    label: str | Promise
    model: type[BilingualContent]
    rows: Callable[[User], Iterable[BilingualContent]]
    get: Callable[[User, int], tuple[BilingualContent, tuple[str, ...]]]
    save: Callable[..., BilingualContent]
    where: Callable[[Any], str]
    url: Callable[[Any], str]
    conflicts: tuple[type[Exception], ...] = field(default=())
    # The texts of a row ``user`` may translate, without a query (default: all of them).
    fields: Callable[[User, Any], Iterable[str]] | None = None


@dataclass(frozen=True)
class Row:
    """One item of the list: its first untranslated text, and what else is missing."""

    provider: Provider
    obj: BilingualContent
    field: str
    text: str
    language: str
    missing: list[str]

    @property
    def where(self) -> str:
        return self.provider.where(self.obj)

    @property
    def url(self) -> str:
        return self.provider.url(self.obj)


def may_use(user: User | AnonymousUser) -> bool:
    """The list is for those who write: not for the CoReS members, who only read."""
    return bool(user.is_authenticated and not policy.is_cores_member(user))


_registry: PackageProviders[Provider] = PackageProviders(
    "coordination.regional.translations.providers"
)


def register(provider: Provider) -> Provider:
    """Add (or replace, by ``key``) a provider of the list."""
    return _registry.register(provider)


def providers() -> list[Provider]:
    return _registry.all()


def provider(key: str) -> Provider | None:
    return _registry.get(key)


def language_of(obj: BilingualContent, name: str) -> str:
    """The language ``name`` was written in (a text may record its own)."""
    language_of = getattr(obj, "language_of", None)
    return language_of(name) if callable(language_of) else obj.language


def field_label(obj: BilingualContent, name: str) -> str:
    return str(cast(Field, type(obj)._meta.get_field(name)).verbose_name)


def _row(provider: Provider, obj: BilingualContent, allowed: Iterable[str]) -> Row | None:
    allowed = set(allowed)
    missing = [name for name in obj.missing_translations() if name in allowed]
    if not missing:
        return None
    first = missing[0]
    return Row(
        provider=provider,
        obj=obj,
        field=first,
        text=getattr(obj, first),
        language=language_of(obj, first),
        missing=[field_label(obj, name) for name in missing],
    )


def to_translate(user: User) -> list[Row]:
    """The rows of ``user``'s "to translate" list, provider by provider.

    ``rows(user)`` keeps the items ``user`` may translate; a row names the missing
    translations of the texts they may do (``fields``, when some texts of an item are
    another author's).
    """
    rows: list[Row] = []
    for item in providers():
        for obj in item.rows(user):
            names = item.fields(user, obj) if item.fields else obj.TRANSLATED_FIELDS
            row = _row(item, obj, names)
            if row is not None:
                rows.append(row)
    return rows
