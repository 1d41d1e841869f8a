"""Indicator pages: the monthly grid of a hotspot (htmx per cell), CSV import and export."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.models import User
from coordination.people.http import AuthenticatedHttpRequest
from hotspots import permissions
from hotspots.forms.indicators import CellForm, ImportForm, cell_prefix, posted_cells
from hotspots.models import Hotspot, IndicatorDefinition
from hotspots.permissions import (
    can_enter_indicator,
    enterable_indicators,
    get_hotspot_for,
    visible_hotspots,
)
from hotspots.selectors import indicators as selectors
from hotspots.services import indicators as services

FIRST_YEAR = 2020


def _year(request: AuthenticatedHttpRequest) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return min(max(year, FIRST_YEAR), this_year)


def _cell(
    indicator: IndicatorDefinition,
    month: dt.date,
    value: Decimal | None,
    *,
    editable: bool,
) -> dict:
    shown = "" if value is None else selectors.format_value(value)
    return {
        "prefix": cell_prefix(indicator.pk, month),
        "indicator": indicator,
        "month": month,
        "value": value,
        "input_value": shown,
        "original": shown,
        "editable": editable and month <= services.current_month(),
        "label": _("%(indicator)s, %(month)s")
        % {"indicator": indicator.name, "month": date_format(month, "YEAR_MONTH_FORMAT")},
        "errors": [],
        "saved": False,
    }


def _grid_rows(hotspot: Hotspot, year: int, user: User) -> list[dict]:
    rows = selectors.grid(hotspot, year=year)
    enterable = enterable_indicators(user, hotspot, [row.indicator for row in rows])
    months = selectors.months_of(year)
    return [
        {
            "indicator": row.indicator,
            "cells": [
                _cell(row.indicator, month, value, editable=row.indicator.pk in enterable)
                for month, value in row.cells(months)
            ],
        }
        for row in rows
    ]


def _submit(request: AuthenticatedHttpRequest, hotspot: Hotspot, cell: dict) -> bool:
    """Validate and save one posted cell; errors and the typed value stay on ``cell``."""
    form = CellForm(request.POST, prefix=cell["prefix"])
    cell["input_value"] = request.POST.get(f"{cell['prefix']}-value", "")
    cell["original"] = request.POST.get(f"{cell['prefix']}-original", "")
    if not form.is_valid():
        cell["errors"] = form.errors.get("value", [])
        return False
    if not form.has_new_value():
        return False
    value = form.cleaned_data["value"]
    try:
        services.value_set(
            hotspot=hotspot,
            indicator=cell["indicator"],
            month=cell["month"],
            value=value,
            by=request.user,
        )
    except ValidationError as error:
        cell["errors"] = error.messages
        return False
    cell["input_value"] = cell["original"] = "" if value is None else selectors.format_value(value)
    return True


def _save_grid(
    request: AuthenticatedHttpRequest, hotspot: Hotspot, rows: list[dict]
) -> tuple[int, int]:
    """Save every changed cell of the posted grid, all or nothing; (saved, errors)."""
    cells = {cell["prefix"]: cell for row in rows for cell in row["cells"]}
    saved = errors = 0
    with transaction.atomic():
        for indicator_id, month in posted_cells(request.POST):
            cell = cells.get(cell_prefix(indicator_id, month))
            if cell is None or not cell["editable"]:
                raise PermissionDenied
            saved += _submit(request, hotspot, cell)
            errors += bool(cell["errors"])
        if errors:
            # One bad cell and nothing is kept: the person corrects it and saves again.
            transaction.set_rollback(True)
    return saved, errors


@require_http_methods(["GET", "POST"])
def indicator_grid(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Indicators × the months of a year; cells the user may enter are inputs."""
    hotspot = get_hotspot_for(request.user, pk)
    year = _year(request)
    rows = _grid_rows(hotspot, year, request.user)
    can_enter = any(cell["editable"] for row in rows for cell in row["cells"])
    errors = 0
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        saved, errors = _save_grid(request, hotspot, rows)
        if not errors:
            messages.success(request, _("Values saved: %(count)s.") % {"count": saved})
            return redirect(f"{reverse('hotspots:indicator_grid', args=[hotspot.pk])}?year={year}")
    context = {
        "hotspot": hotspot,
        "year": year,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < timezone.localdate().year else None,
        "months": selectors.months_of(year),
        "rows": rows,
        "can_enter": can_enter,
        "can_import": permissions.can_import_indicators(request.user),
        "errors": errors,
        "cell_url": reverse("hotspots:indicator_cell", args=[hotspot.pk]),
    }
    return render(request, "hotspots/indicators/grid.html", context)


@require_POST
def indicator_cell(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The htmx endpoint of one grid cell: saves it and answers the cell again."""
    hotspot = get_hotspot_for(request.user, pk)
    cells = posted_cells(request.POST)
    if len(cells) != 1:
        return HttpResponseBadRequest()
    indicator_id, month = cells[0]
    indicator = get_object_or_404(IndicatorDefinition, pk=indicator_id)
    if not can_enter_indicator(request.user, hotspot, indicator):
        raise PermissionDenied
    cell = _cell(indicator, month, None, editable=True)
    cell["editable"] = True  # even a month the page would not offer: show why it failed
    cell["saved"] = _submit(request, hotspot, cell)
    if not request.htmx:
        for error in cell["errors"]:
            messages.error(request, f"{cell['label']}: {error}")
        url = reverse("hotspots:indicator_grid", args=[hotspot.pk])
        return redirect(f"{url}?year={month.year}")
    context = {"hotspot": hotspot, "cell": cell, "announce": True, "cell_url": request.path}
    return render(request, "hotspots/indicators/grid.html#cell", context)


def _csv_response(rows, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A BOM, so that spreadsheet programs read the accents right.
    response.write("\ufeff")
    csv.writer(response, lineterminator="\r\n").writerows(rows)
    return response


@require_GET
def indicator_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = get_hotspot_for(request.user, pk)
    rows = selectors.export_rows(Hotspot.objects.filter(pk=hotspot.pk))
    return _csv_response(rows, f"indicators-{slugify(hotspot.code) or hotspot.pk}.csv")


@require_GET
def indicator_export_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = selectors.export_rows(visible_hotspots(request.user))
    return _csv_response(rows, f"indicators-{timezone.localdate():%Y-%m-%d}.csv")


@require_http_methods(["GET", "POST"])
def indicator_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a CSV file of values; one bad line saves nothing and every bad line is listed."""
    if not permissions.can_import_indicators(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.import_csv(
            file_bytes_or_text=form.cleaned_data["file"].read(), by=request.user
        )
        if result.ok:
            messages.success(
                request,
                _(
                    "Import done: %(lines)s lines read, %(created)s new values, "
                    "%(updated)s values changed, %(unchanged)s unchanged."
                )
                % {
                    "lines": result.lines,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("hotspots:indicator_import")
    context = {"form": form, "result": result, "indicators": selectors.definitions()}
    return render(request, "hotspots/indicators/import.html", context)
