"""Writes on police orders: record, correct, attach the signed PDF. Audited and atomic.

Orders are legal acts: they are never deleted, and every change is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.core.dates import long_date
from coordination.models import User
from hotspots.models import Hotspot, MeasureType, OrderDocument, PoliceOrder
from hotspots.permissions import can_create_order
from hotspots.selectors.orders import file_checksum
from hotspots.services.hotspots import content_language

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
    # The language of the signatory, legal basis and details, and their translations.
    "language",
    "signatory_translation",
    "legal_reference_translation",
    "measure_details_translation",
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


DATE_FIELDS = ("signed_on", "valid_from", "valid_until")


def _validate(order: PoliceOrder, *, dates: Iterable[str] = DATE_FIELDS) -> None:
    """The rules of an order, checked before every save; errors name the field at fault.

    ``dates`` are the date fields to hold to the plausible range (on a correction, only
    those that change: an order recorded before the range existed can still be fixed).
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in dates:
        value = getattr(order, name)
        if value is not None and not bounds.POLICE_ORDER.contains(value):
            errors.setdefault(name, []).extend(bounds.POLICE_ORDER.error().messages)
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
                % {"date": long_date(extended.valid_from)},
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


def _attach(order: PoliceOrder, document: File, *, by: User) -> dict[str, Any]:
    """Keep ``document`` as the order's next document version and make it the current one.

    No file is ever replaced or deleted: each version has its own file and its SHA-256.
    Returns what the audit entry says: the version numbers, checksums and sizes.
    """
    check_pdf(document)
    previous = _current_document(order)
    digest, size = file_checksum(document)
    version = OrderDocument(
        order=order,
        number=previous.number + 1 if previous else 1,
        sha256=digest,
        size=size,
        uploaded_by=by,
    )
    # The storage name comes from upload_to; the uploaded name is never trusted.
    version.file.save("order.pdf", document, save=False)
    version.save()
    order.document.name = version.file.name
    order.save(update_fields=["document"])
    return {
        "document_version": [previous.number if previous else None, version.number],
        "document_sha256": [previous.sha256 if previous else None, digest],
        "document_size": [previous.size if previous else None, size],
    }


def _current_document(order: PoliceOrder) -> OrderDocument | None:
    """The order's current document version; a document attached before versions existed
    (or outside the services) becomes version 1 here, so a replacement never loses it."""
    latest = order.documents.order_by("-number").first()
    if latest is not None or not order.document:
        return latest
    try:
        with order.document.open("rb") as handle:
            digest, size = file_checksum(handle)
    except FileNotFoundError:
        digest, size = "", 0
    return OrderDocument.objects.create(
        order=order,
        number=1,
        file=order.document.name,
        sha256=digest,
        size=size,
        uploaded_by=order.created_by,
        uploaded_at=order.created_at,
    )


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
    language: str | None = None,
    signatory_translation: str = "",
    legal_reference_translation: str = "",
    measure_details_translation: str = "",
) -> PoliceOrder:
    """Record a signed order (the CSIR any order, a mayor a local one in their commune).

    ``language`` is that of the signatory, legal basis and details (default: the author's,
    from their interface); the ``*_translation`` are the same texts in the other language.

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
        language=content_language(language),
        signatory_translation=signatory_translation.strip(),
        legal_reference_translation=legal_reference_translation.strip(),
        measure_details_translation=measure_details_translation.strip(),
    )
    _validate(order)
    order.save()
    attached = _attach(order, document, by=by) if document is not None else {}
    changes: dict[str, Any] = audit.snapshot(order, ORDER_FIELDS)
    changes["document"] = "attached" if document is not None else "none"
    changes.update(attached)
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
    if "language" in fields:
        fields["language"] = content_language(fields["language"])
    before = audit.snapshot(order, list(fields))
    old_dates = {name: getattr(order, name) for name in DATE_FIELDS}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(order, name, list(value) if name == "measures" else value)
    if "hotspot" in fields:
        _check_allowed(by, order.hotspot)
    _validate(
        order, dates=[name for name in DATE_FIELDS if old_dates[name] != getattr(order, name)]
    )
    if fields:
        order.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(order, list(fields)))
    if document is not None:
        changes["document"] = ["replaced" if order.document else "none", "attached"]
        changes.update(_attach(order, document, by=by))
    if changes:
        audit.record(actor=by, action="order.update", target=order, changes=changes)
    return order
