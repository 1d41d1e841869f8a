"""Who viewed police-judicial items: every view is recorded, wherever the item is shown.

The audit trail records changes; for police-judicial items (actions, updates and notes,
report versions) it also records each view, so that the CSIR coordinator can tell who saw
what, when and where (DESIGN.md §5).

One way everywhere:

- a view (page, htmx partial, export, PDF download) hands what it shows to :func:`shown`,
  with a ``via`` code naming the place (``VIA_*`` below); :func:`shown` keeps the
  police-judicial ones (the rule of ``coordination.people.confidentiality``: an item is
  police-judicial if it is, or if the action it belongs to is) on the request, once each;
- :class:`ViewLogMiddleware` writes them, after the view answered, in one bulk insert
  (one query whatever their number), and only for a response that showed them (2xx, and
  the 409 of an edit conflict, which shows the current values): a refused request (403,
  404), another error, a redirect writes nothing.

Views hand over what their selector returned, i.e. what the person may see: an item that
the police-judicial rule filtered out never reaches :func:`shown`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _

from coordination.audit import services as audit
from coordination.audit.models import AuditEntry
from coordination.core import pagecache
from coordination.people import confidentiality
from coordination.people.models import User

VIEW_ACTION = "view"

# Where an item was seen: stored as a code in ``changes["via"]``, read in the reader's
# language on the audit page (``via_label``).
VIA_TASKFORCE_PAGE = "taskforce_page"
VIA_PLAN_PAGE = "plan_page"
VIA_PLAN_VERSION = "plan_version"
VIA_PLAN_CHANGES = "plan_changes"
VIA_PLAN_EXPORT = "plan_export"
VIA_ACTION_PAGE = "action_page"
VIA_ACTION_FORM = "action_form"
VIA_ESCALATE_FORM = "escalate_form"
VIA_MY_ACTIONS = "my_actions"
VIA_ESCALATIONS = "escalations"
VIA_MEETING_PAGE = "meeting_page"
VIA_HOME = "home"
VIA_REPORT_PDF = "report_pdf"
VIA_CALENDAR = "calendar"
VIA_SEARCH = "search"
VIA_PRACTICES = "practices"
VIA_ATTACHMENT = "attachment"

VIA_LABELS = {
    VIA_TASKFORCE_PAGE: _("task force page"),
    VIA_PLAN_PAGE: _("action plan page"),
    VIA_PLAN_VERSION: _("plan version page"),
    VIA_PLAN_CHANGES: _("changes of the plan"),
    VIA_PLAN_EXPORT: _("plan export (CSV)"),
    VIA_ACTION_PAGE: _("action page"),
    VIA_ACTION_FORM: _("action form"),
    VIA_ESCALATE_FORM: _("escalation form"),
    VIA_MY_ACTIONS: _("my actions"),
    VIA_ESCALATIONS: _("escalations to the CSIR"),
    VIA_MEETING_PAGE: _("meeting page"),
    VIA_HOME: _("home page"),
    VIA_REPORT_PDF: _("report download (PDF)"),
    VIA_CALENDAR: _("calendar feed"),
    VIA_SEARCH: _("search results"),
    VIA_PRACTICES: _("what worked where"),
    VIA_ATTACHMENT: _("attachment download"),
}

# The responses that put the items in front of the person: a page, a partial, a file; and
# 409, the edit conflict page that shows the action's current values beside the input.
# Refusals (403, 404), other client errors, server errors and redirects show nothing.
_SHOWING = frozenset({*range(200, 300), 409})
_PENDING = "_police_judicial_views"
_ACTOR = "_police_judicial_viewer"


@dataclass(frozen=True)
class Frozen:
    """A police-judicial item shown from a frozen copy (a plan version's snapshot entry),
    not from its row: recorded against the row it was copied from."""

    model: type[models.Model]
    pk: Any
    label: str


def via_label(code: str) -> str:
    """The place a view was recorded at, in the reader's language (the code if unknown)."""
    return str(VIA_LABELS.get(code, code))


def frozen(model: type[models.Model], entries: Iterable[dict[str, Any]]) -> list[Frozen]:
    """The police-judicial entries of a snapshot (dicts with ``id``, ``title`` and
    ``confidentiality``), as items for :func:`shown`."""
    return [
        Frozen(model, entry["id"], str(entry.get("title", "")))
        for entry in entries
        if entry.get("confidentiality") == confidentiality.POLICE_JUDICIAL
    ]


def _police_judicial(
    item: Any, known: dict[tuple[type[models.Model], Any], models.Model]
) -> Iterator[models.Model | Frozen]:
    """The police-judicial items ``item`` puts on the screen: itself, its action, or both.

    ``known``: the rows handed over with it, by (model, pk), where an update finds its action.
    """
    if isinstance(item, Frozen):
        yield item
        return
    if not isinstance(item, models.Model):
        return  # None: an item the selector left out
    action = _action_of(item, known)
    # A report version carries its audience, not a confidentiality field.
    if confidentiality.is_confidential(item) or getattr(item, "is_police_judicial", False) is True:
        yield item
    elif action is not None and confidentiality.is_confidential(action):
        # An update of a police-judicial action is police-judicial; anything else naming
        # the action (an escalation, a decision) shows the action's title.
        if hasattr(item, "confidentiality"):
            yield item
        yield action


def _action_of(
    item: models.Model, known: dict[tuple[type[models.Model], Any], models.Model]
) -> models.Model | None:
    """The action ``item`` belongs to, if loaded or handed over with it (never a query)."""
    try:
        field = item._meta.get_field("action")
    except FieldDoesNotExist:
        return None
    if not field.many_to_one:
        return None
    action = item._state.fields_cache.get(field.name)
    if action is None:
        key = (field.related_model, getattr(item, "action_id", None))
        action = known.get(key)  # type: ignore[arg-type]
        if action is not None:
            # The same row: cached so that naming the item (its ``str``) costs no query.
            field.set_cached_value(item, action)  # type: ignore[union-attr]
    return action


def _key(item: models.Model | Frozen) -> tuple[type[models.Model], str]:
    if isinstance(item, Frozen):
        return item.model._meta.concrete_model or item.model, str(item.pk)
    return item._meta.concrete_model or type(item), str(item.pk)


def shown(
    request: HttpRequest, items: Iterable[Any], *, via: str, actor: User | None = None
) -> None:
    """Note that the response to ``request`` shows ``items``; the police-judicial ones are
    recorded once the response went out (:class:`ViewLogMiddleware`), each once per request.

    ``items``: what the selector returned (model instances, ``None`` for an item left out,
    :class:`Frozen` entries). No query: the action of an update is read from its cache or
    from the items handed over in the same call (so pass ``[action, *timeline]``).
    ``actor``: who is shown them when it is not the signed-in person (``request.user``),
    e.g. the owner of a secret calendar address polled without a session.
    """
    if actor is not None:
        setattr(request, _ACTOR, actor)
    items = list(items)
    known = {
        (item._meta.concrete_model, item.pk): item
        for item in items
        if isinstance(item, models.Model)
    }
    pending: dict[tuple[type[models.Model], str], tuple[models.Model | Frozen, str]] = getattr(
        request, _PENDING, {}
    )
    for item in items:
        for seen in _police_judicial(item, known):  # type: ignore[arg-type]
            pending.setdefault(_key(seen), (seen, via))
    if pending:
        setattr(request, _PENDING, pending)


def flush(request: HttpRequest, response: HttpResponseBase) -> int:
    """Write the views noted on ``request`` if ``response`` showed them; one insert.

    Returns the number of entries written.
    """
    pending = getattr(request, _PENDING, None)
    if not pending:
        return 0
    setattr(request, _PENDING, {})
    actor = getattr(request, _ACTOR, None) or getattr(request, "user", None)
    if response.status_code not in _SHOWING or not isinstance(actor, User):
        return 0
    types = ContentType.objects.get_for_models(*{model for model, _pk in pending})
    entries = [
        AuditEntry(
            actor=actor,
            action=VIEW_ACTION,
            target_type=types[model],
            target_id=pk,
            target_repr=str(item.label if isinstance(item, Frozen) else item)[:300],
            changes={"via": via},
            police_judicial=True,
        )
        for (model, pk), (item, via) in pending.items()
    ]
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def pending(request: HttpRequest) -> list[tuple[str, str, str, str]]:
    """The views noted on ``request`` and not yet written, as plain values (model label,
    id, label, place): kept with a cached page (:mod:`coordination.core.pagecache`)."""
    noted = getattr(request, _PENDING, None) or {}
    return [
        (model._meta.label_lower, pk, str(item.label if isinstance(item, Frozen) else item), via)
        for (model, pk), (item, via) in noted.items()
    ]


def restore(request: HttpRequest, views: list[tuple[str, str, str, str]]) -> None:
    """Note again on ``request`` the views a cached page showed when it was rendered."""
    noted = getattr(request, _PENDING, {})
    for label, pk, text, via in views:
        model = apps.get_model(label)
        noted.setdefault((model, pk), (Frozen(model, pk, text), via))
    if noted:
        setattr(request, _PENDING, noted)


pagecache.keep_with_page("police_judicial_views", pending, restore)


class ViewLogMiddleware:
    """Writes the views of police-judicial items a response showed (after authentication).

    If the entries cannot be written the error propagates: a view of a police-judicial
    item that cannot be recorded is not given.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        try:
            flush(request, response)
        except Exception:
            response.close()  # a file being sent, for instance
            raise
        return response


def record_view(*, actor: User, target: models.Model, via: str = "") -> AuditEntry:
    """Record at once that ``actor`` viewed the police-judicial item ``target``; one insert.

    For code outside a request (a command, a task); views use :func:`shown`.
    """
    changes = {"via": via} if via else None
    return audit.record(
        actor=actor, action=VIEW_ACTION, target=target, changes=changes, police_judicial=True
    )
