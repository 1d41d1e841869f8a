"""One submission per form: a token given with the form, kept on what the form creates.

Going back after "Publish" and clicking it again posted the same thing twice, and told
everyone twice. Each rendered form now carries a one-time token (a UUID4, in the hidden
field ``once``); the service stores it on the row it creates, in a column under a unique
constraint, and a second POST with the same token creates nothing: :func:`create_once`
raises :class:`AlreadyDone` with the row the first POST made, and the view sends the person
there with "already published".

The portal's pages are ``no-store`` (coordination.core.middleware), so the back button
fetches the form again and a token made afresh for that page would be a new one. The
token therefore lives in the form page's address (``?once=…``): the link that opens the
form carries one (:func:`fresh`, given to the template by the view), an address typed by
hand gets one written into it by ``static/js/once.js``, and :func:`token` reads it back
when the page is fetched again.

How a create form uses it:

- the model: ``submission_token = models.UUIDField(null=True, blank=True, editable=False)``
  and a ``UniqueConstraint`` on it (NULL for rows made without a form: the demo, scripts);
- the form: ``once = OnceField()``; the view: ``initial={"once": once.token(request)}``;
- the service, inside its transaction: ``create_once(model=…, token=…, create=…)`` where
  ``create`` makes the row with ``submission_token=token`` and does the rest (audit,
  notifications), so that all of it happens once or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest

FIELD = "once"
COLUMN = "submission_token"


class AlreadyDone(Exception):
    """The form was already sent with this token: ``obj`` is what that first POST made."""

    def __init__(self, obj: models.Model) -> None:
        super().__init__(f"already done: {obj._meta.label_lower} {obj.pk}")
        self.obj = obj


def parse(value: Any) -> uuid.UUID | None:
    """A token as sent by a browser (or a script), or None when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def fresh() -> str:
    """A new token, for a link that opens a create form (``href="…?once={{ once_token }}"``)."""
    return str(uuid.uuid4())


def token(request: HttpRequest) -> uuid.UUID:
    """The token of the form page being shown: the one in its address, or a new one."""
    return parse(request.GET.get(FIELD)) or uuid.uuid4()


class OnceField(forms.Field):
    """The hidden token field. A missing or mangled token is not the person's fault and
    has nowhere to show an error: the form is then sent without the one-time guard."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> uuid.UUID | None:
        return parse(value)

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, uuid.UUID) else value


def used[M: models.Model](
    model: type[M], value: uuid.UUID | None, *, column: str = COLUMN
) -> M | None:
    """What was already made with the token ``value``, if anything."""
    if value is None:
        return None
    return model._default_manager.filter(**{column: value}).first()


def create_once[M: models.Model](
    *, model: type[M], token: uuid.UUID | None, create: Callable[[], M], column: str = COLUMN
) -> M:
    """Run ``create`` unless a row of ``model`` already carries ``token``; then raise
    :class:`AlreadyDone` with that row. Call it inside the service's transaction.

    The first look is for the everyday case (the back button). Two POSTs at the same moment
    both pass it; the unique constraint lets one insert through and the other's insert
    fails (on PostgreSQL it waits for the first to commit). ``create`` runs in a savepoint
    so that failure undoes everything it did (audit entry, notifications) and leaves the
    outer transaction usable, to read the winner's row. Without a token, ``create`` runs.
    """
    if token is None:
        return create()
    existing = used(model, token, column=column)
    if existing is not None:
        raise AlreadyDone(existing)
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        existing = used(model, token, column=column)
        if existing is None:  # another constraint failed: not ours to hide
            raise
        raise AlreadyDone(existing) from None
