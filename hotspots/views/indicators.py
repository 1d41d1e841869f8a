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
from hotspots.forms.indicators import (
    CellForm,
    GoalForm,
    ImportForm,
    cell_prefix,
    posted_cells,
)
from hotspots.models import Area, Hotspot, IndicatorDefinition, IndicatorGoal
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


def _area(request: AuthenticatedHttpRequest) -> str:
    """The area of the grid (hotspot, buffer or control), from the query string."""
    area = request.GET.get("area", "")
    return area if area in Area.values else Area.HOTSPOT


def _grid_url(hotspot: Hotspot, year: int, area: str) -> str:
    url = f"{reverse('hotspots:indicator_grid', args=[hotspot.pk])}?year={year}"
    return url if area == Area.HOTSPOT else f"{url}&area={area}"


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
        # The value jumps from last month's: the cell asks for a confirmation.
        "jump": False,
    }


def _goal_part(goal: IndicatorGoal | None, part: str) -> tuple[Decimal, dt.date] | None:
    """(value, date) of the goal's baseline or target, or None when it is not set."""
    value = getattr(goal, f"{part}_value", None)
    return None if value is None else (value, getattr(goal, f"{part}_on"))


def _grid_rows(hotspot: Hotspot, year: int, user: User, area: str = Area.HOTSPOT) -> list[dict]:
    rows = selectors.grid(hotspot, year=year, area=area)
    enterable = enterable_indicators(user, hotspot, [row.indicator for row in rows])
    months = selectors.months_of(year)
    return [
        {
            "indicator": row.indicator,
            "baseline": _goal_part(row.goal, "baseline"),
            "target": _goal_part(row.goal, "target"),
            "can_set_goal": row.indicator.pk in enterable,
            "cells": [
                _cell(row.indicator, month, value, editable=row.indicator.pk in enterable)
                for month, value in row.cells(months)
            ],
        }
        for row in rows
    ]


def _submit(
    request: AuthenticatedHttpRequest, hotspot: Hotspot, cell: dict, area: str = Area.HOTSPOT
) -> bool:
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
            confirmed=form.cleaned_data["confirm"],
            area=area,
        )
    except services.JumpWarning as warning:
        cell["errors"], cell["jump"] = warning.messages, True
        return False
    except ValidationError as error:
        cell["errors"] = error.messages
        return False
    cell["input_value"] = cell["original"] = "" if value is None else selectors.format_value(value)
    return True


def _save_grid(
    request: AuthenticatedHttpRequest, hotspot: Hotspot, rows: list[dict], area: str
) -> tuple[int, int]:
    """Save every changed cell of the posted grid, all or nothing; (saved, errors)."""
    cells = {cell["prefix"]: cell for row in rows for cell in row["cells"]}
    saved = errors = 0
    with transaction.atomic():
        for indicator_id, month in posted_cells(request.POST):
            cell = cells.get(cell_prefix(indicator_id, month))
            if cell is None or not cell["editable"]:
                raise PermissionDenied
            saved += _submit(request, hotspot, cell, area)
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
    area = _area(request)
    rows = _grid_rows(hotspot, year, request.user, area)
    can_enter = any(cell["editable"] for row in rows for cell in row["cells"])
    errors = 0
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        saved, errors = _save_grid(request, hotspot, rows, area)
        if not errors:
            messages.success(request, _("Values saved: %(count)s.") % {"count": saved})
            return redirect(_grid_url(hotspot, year, area))
    cell_url = reverse("hotspots:indicator_cell", args=[hotspot.pk])
    context = {
        "hotspot": hotspot,
        "year": year,
        "area": area,
        "area_suffix": "" if area == Area.HOTSPOT else f"&area={area}",
        "areas": [
            {"code": code, "label": label, "url": _grid_url(hotspot, year, code)}
            for code, label in Area.choices
        ],
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < timezone.localdate().year else None,
        "months": selectors.months_of(year),
        "rows": rows,
        "can_enter": can_enter,
        "can_import": permissions.can_import_indicators(request.user),
        "errors": errors,
        "cell_url": cell_url if area == Area.HOTSPOT else f"{cell_url}?area={area}",
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
    area = _area(request)
    cell = _cell(indicator, month, None, editable=True)
    cell["editable"] = True  # even a month the page would not offer: show why it failed
    cell["saved"] = _submit(request, hotspot, cell, area)
    if not request.htmx:
        for error in cell["errors"]:
            messages.error(request, f"{cell['label']}: {error}")
        return redirect(_grid_url(hotspot, month.year, area))
    context = {
        "hotspot": hotspot,
        "cell": cell,
        "announce": True,
        "cell_url": request.get_full_path(),
    }
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
            file_bytes_or_text=form.cleaned_data["file"].read(),
            by=request.user,
            confirm_jumps=form.cleaned_data["confirm_jumps"],
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
    context = {
        "form": form,
        "result": result,
        "indicators": selectors.definitions(),
        "columns": services.column_names(),
        "column_names": services.COLUMN_NAMES,
    }
    return render(request, "hotspots/indicators/import.html", context)


@require_GET
def indicator_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An empty import file whose first line names the columns in the reader's language."""
    if not permissions.can_import_indicators(request.user):
        raise PermissionDenied
    columns = services.column_names()
    return _csv_response([columns], "indicators-template.csv")


# --- Baselines and targets ----------------------------------------------------------------


def _enterable_indicator(
    request: AuthenticatedHttpRequest, pk: int, indicator_pk: int
) -> tuple[Hotspot, IndicatorDefinition]:
    """404 for a hotspot or indicator one may not see; 403 unless one enters its values."""
    hotspot = get_hotspot_for(request.user, pk)
    indicator = get_object_or_404(IndicatorDefinition, pk=indicator_pk)
    if not can_enter_indicator(request.user, hotspot, indicator):
        raise PermissionDenied
    return hotspot, indicator


@require_http_methods(["GET", "POST"])
def indicator_goal(request: AuthenticatedHttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """Set the baseline and the target of one indicator for one hotspot; shows their history."""
    hotspot, indicator = _enterable_indicator(request, pk, indicator_pk)
    current = selectors.goals(hotspot).get(indicator.pk)
    initial = None
    if current is not None:
        initial = {name: getattr(current, name) for name in services.GOAL_FIELDS}
        for name in ("baseline_value", "target_value"):
            if initial[name] is not None:
                initial[name] = selectors.format_value(initial[name])  # 12, not 12.00
    form = GoalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_set(
                hotspot=hotspot, indicator=indicator, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Baseline and target saved."))
            return redirect(reverse("hotspots:indicator_grid", args=[hotspot.pk]))
    context = {
        "hotspot": hotspot,
        "indicator": indicator,
        "form": form,
        "history": selectors.goal_history(hotspot, indicator),
    }
    return render(request, "hotspots/indicators/goal.html", context)


# --- Completeness ---------------------------------------------------------------------------

COMPLETENESS_MONTHS = 6


def _chosen_month(request: AuthenticatedHttpRequest, months: list[dt.date]) -> dt.date:
    text = (request.GET.get("month") or request.POST.get("month") or "")[:7]
    month = services.parse_month(text)
    return month if month in months else months[-1]


@require_GET
def indicator_completeness(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per hotspot and month, the share of values entered; the values missing in one month,
    with who supplies them and a link to the cell to fill (a fixed number of queries)."""
    months = selectors.recent_months(COMPLETENESS_MONTHS)
    month = _chosen_month(request, months)
    hotspots = list(selectors.expected_hotspots(visible_hotspots(request.user)))
    report = selectors.completeness(hotspots, months)
    context = {
        "report": report,
        "months": months,
        "month": month,
        "totals": report.month_totals(),
        "missing": report.missing_in(month),
        "can_remind": permissions.can_remind_indicators(request.user),
    }
    return render(request, "hotspots/indicators/completeness.html", context)


@require_POST
def indicator_remind(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The CSIR's "remind now": tell the supplying agencies of the month's missing values."""
    if not permissions.can_remind_indicators(request.user):
        raise PermissionDenied
    months = selectors.recent_months(COMPLETENESS_MONTHS)
    url = reverse("hotspots:indicator_completeness")
    # A POST names its month: one outside the months shown reminds nobody (a GET falls
    # back to the latest month, a reminder never guesses).
    month = services.parse_month((request.POST.get("month") or "")[:7])
    if month not in months:
        messages.error(request, _("Choose one of the months shown to send reminders."))
        return redirect(url)
    result = services.remind_missing(month=month, by=request.user)
    messages.success(
        request,
        _(
            "Reminders sent: %(reminders)s missing values, %(people)s people told; "
            "%(already)s had already been reminded."
        )
        % {"reminders": result.reminders, "people": result.told, "already": result.already},
    )
    return redirect(f"{url}?month={month:%Y-%m}")
