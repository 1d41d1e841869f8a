"""Writes on police orders: record, correct, attach the signed PDF. Audited and atomic.

Orders are legal acts: they are never deleted, and every change is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.models import User
from hotspots.models import Hotspot, MeasureType, PoliceOrder
from hotspots.permissions import can_create_order

Scope = PoliceOrder.Scope

# The fields a person may set on an order (the document is attached separately).
ORDER_FIELDS = [
    "scope",
    "hotspot",
    "title_fr",
    "title_nl",
    "measures",
    "measure_details",
    "legal_reference",
    "signatory",
    "signer",
    "signed_on",
    "valid_from",
    "valid_until",
    "extends",
]
MAX_DOCUMENT_SIZE = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Browsers and scanners label PDFs in several ways; the magic bytes are the real check.
PDF_CONTENT_TYPES = {"application/pdf", "application/x-pdf", "application/octet-stream"}


def check_pdf(uploaded_file: File) -> None:
    """Refuse anything but a PDF of at most 10 MB: extension, declared type and magic bytes."""
    name = uploaded_file.name or ""
    if PurePath(name).suffix.lower() != ".pdf":
        raise ValidationError(_("The signed order must be a PDF file (.pdf)."), code="extension")
    content_type = getattr(uploaded_file, "content_type", None)
    if content_type and content_type.split(";")[0].strip().lower() not in PDF_CONTENT_TYPES:
        raise ValidationError(_("The signed order must be a PDF file (.pdf)."), code="type")
    if uploaded_file.size is not None and uploaded_file.size > MAX_DOCUMENT_SIZE:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(uploaded_file.size),
                "limit": filesizeformat(MAX_DOCUMENT_SIZE),
            },
            code="size",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(len(PDF_MAGIC))
    uploaded_file.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError(
            _("This file is not a PDF document, whatever its name says."), code="content"
        )


def _extension_chain_contains(start: PoliceOrder | None, order: PoliceOrder) -> bool:
    """Whether ``order`` is ``start`` or one of the orders ``start`` extends (a cycle)."""
    seen: set[int] = set()
    while start is not None and start.pk not in seen:
        if start.pk == order.pk:
            return True
        seen.add(start.pk)
        start = start.extends
    return False


def _validate(order: PoliceOrder) -> None:
    """The rules of an order, checked before every save; errors name the field at fault."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if order.scope not in Scope.values:
        add("scope", _("Choose whether the order is regional or local."))
    if order.scope == Scope.LOCAL and order.hotspot_id is None:
        add("hotspot", _("A local order applies to one hotspot: choose it."))
    if order.scope == Scope.REGIONAL and order.hotspot_id is not None:
        add("hotspot", _("A regional order applies to every hotspot: leave the hotspot empty."))
    if not order.measures:
        add("measures", _("Choose at least one measure."))
    elif set(order.measures) - set(MeasureType.values):
        add("measures", _("Unknown measure."))
    if order.valid_from and order.valid_until and order.valid_until < order.valid_from:
        add("valid_until", _("An order cannot end before it starts."))
    extended = order.extends
    if extended is not None:
        if order.pk and _extension_chain_contains(extended, order):
            add("extends", _("An order cannot extend itself or one of its own extensions."))
        elif extended.scope != order.scope or extended.hotspot_id != order.hotspot_id:
            add(
                "extends",
                _("An extension has the same scope and hotspot as the order it extends."),
            )
        elif order.valid_from and order.valid_from < extended.valid_from:
            add(
                "valid_from",
                _("An extension starts on or after the day the extended order starts (%(date)s).")
                % {"date": date_format(extended.valid_from)},
            )
    if order.pk:
        # Correcting an order must not break the orders that already extend it.
        for extension in order.extensions.all():
            if extension.scope != order.scope or extension.hotspot_id != order.hotspot_id:
                add("hotspot", _("Orders extend this one: its scope and hotspot must stay."))
                break
            if order.valid_from and extension.valid_from < order.valid_from:
                add("valid_from", _("An extension of this order starts before this date."))
                break
    if errors:
        raise ValidationError(errors)


def _check_allowed(by: User, hotspot: Hotspot | None) -> None:
    if not can_create_order(by, hotspot):
        raise PermissionDenied


def _attach(order: PoliceOrder, document: File) -> None:
    check_pdf(document)
    # The storage name comes from upload_to; the uploaded name is never trusted.
    order.document.save("order.pdf", document, save=False)
    order.save(update_fields=["document"])


@transaction.atomic
def order_create(
    *,
    by: User,
    scope: str,
    title_fr: str,
    title_nl: str,
    measures: list[str],
    legal_reference: str,
    signatory: str,
    signed_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date,
    hotspot: Hotspot | None = None,
    measure_details: str = "",
    signer: User | None = None,
    extends: PoliceOrder | None = None,
    document: File | None = None,
) -> PoliceOrder:
    """Record a signed order (the CSIR any order, a mayor a local one in their commune).

    Raises ValidationError (by field) when a rule is broken, PermissionDenied when ``by``
    may not record an order for that hotspot.
    """
    _check_allowed(by, hotspot)
    order = PoliceOrder(
        scope=scope,
        hotspot=hotspot,
        title_fr=title_fr.strip(),
        title_nl=title_nl.strip(),
        measures=list(measures),
        measure_details=measure_details.strip(),
        legal_reference=legal_reference.strip(),
        signatory=signatory.strip(),
        signer=signer,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
        extends=extends,
        created_by=by,
    )
    _validate(order)
    order.save()
    if document is not None:
        _attach(order, document)
    changes: dict[str, Any] = audit.snapshot(order, ORDER_FIELDS)
    changes["document"] = "attached" if document is not None else "none"
    audit.record(actor=by, action="order.create", target=order, changes=changes)
    return order


@transaction.atomic
def order_update(*, order: PoliceOrder, by: User, **fields: Any) -> PoliceOrder:
    """Correct an order's fields and/or replace its signed PDF (``document=``).

    Only what changed is recorded. ``by`` must be allowed on the order's hotspot before
    and after the change, so a mayor cannot move an order out of their commune.
    """
    document = fields.pop("document", None)
    unknown = set(fields) - set(ORDER_FIELDS)
    assert not unknown, f"not editable here: {unknown}"
    order = (
        PoliceOrder.objects.select_for_update(of=("self",))
        .select_related("hotspot", "extends")
        .get(pk=order.pk)
    )
    _check_allowed(by, order.hotspot)
    before = audit.snapshot(order, list(fields))
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(order, name, list(value) if name == "measures" else value)
    if "hotspot" in fields:
        _check_allowed(by, order.hotspot)
    _validate(order)
    if fields:
        order.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(order, list(fields)))
    if document is not None:
        changes["document"] = ["replaced" if order.document else "none", "attached"]
        _attach(order, document)
    if changes:
        audit.record(actor=by, action="order.update", target=order, changes=changes)
    return order
