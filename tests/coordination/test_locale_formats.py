"""Dates and numbers one way (issue 12): Europe/Brussels, the two date styles of
``coordination/formats``, the French "1er", percentages and plurals through the locale."""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo

import pytest
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext, ngettext

from coordination.core import dates
from reporting import render, snapshot
from tests.reporting import test_reporting
from tests.reporting.test_reporting import text_of

# The reporting tests' cast and region (a task force with a plan, orders, escalations).
cast = test_reporting.cast
region = test_reporting.region
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
FIRST_DECEMBER = dt.date(2026, 12, 1)
# 00:30 in Brussels on 20 November is still the 19th in UTC.
NIGHT = dt.datetime(2026, 11, 20, 0, 30, tzinfo=BRUSSELS).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("language", "long", "first", "night"),
    [
        ("fr", "20 novembre 2026", "1er décembre 2026", "20 novembre 2026, 00:30"),
        ("nl", "20 november 2026", "1 december 2026", "20 november 2026, 00:30"),
        ("en", "20 November 2026", "1 December 2026", "20 November 2026, 00:30"),
    ],
)
def test_two_date_styles_per_language_in_brussels(language, long, first, night):
    with translation.override(language):
        assert dates.long_date(NIGHT) == long
        assert dates.long_date(FIRST_DECEMBER) == first
        assert dates.long_datetime(NIGHT) == night
        assert dates.short_date(NIGHT) == "20/11/2026"
        assert dates.short_datetime(NIGHT) == "20/11/2026 00:30"
        assert dates.long_date(None) == dates.short_date("") == ""


def test_the_filters_are_built_into_every_template():
    template = engines["django"].from_string(
        "{{ d|long_date }}|{{ d|long_date:'weekday' }}|{{ t|short_date }}|{{ x|percent }}"
    )
    with translation.override("fr"):
        text = template.render({"d": FIRST_DECEMBER, "t": NIGHT, "x": 90})
    assert text == "1er décembre 2026|mardi 1er décembre 2026|20/11/2026|90\u202f%"


def test_months_are_never_ambiguous():
    june, july = dt.date(2026, 6, 1), dt.date(2026, 7, 1)
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            assert dates.month(june, abbreviated=True) != dates.month(july, abbreviated=True)
            assert dates.month(june) != dates.month(july)
    with translation.override("fr"):
        assert (dates.month(june, abbreviated=True), dates.month(july)) == ("juin", "juillet 2026")


@pytest.mark.parametrize(
    ("language", "whole", "decimal", "zero"),
    [
        ("fr", "90\u202f%", "12,5\u202f%", "0\u202f%"),
        ("nl", "90%", "12,5%", "0%"),
        ("en", "90%", "12.5%", "0%"),
    ],
)
def test_percentages_through_the_locale(language, whole, decimal, zero):
    with translation.override(language):
        assert dates.percent(90) == whole
        assert dates.percent(12.45, 1) == decimal  # rounded half up, not to even
        assert dates.percent(0) == zero
        assert dates.percent(None) == ""


FIGURES = [
    ("escalations_open", "open escalation", "open escalations"),
    ("actions_blocked", "blocked action", "blocked actions"),
    ("actions_done", "action done", "actions done"),
]


@pytest.mark.django_db
def test_the_report_figures_agree_with_their_number(region):
    """0, 1 and 2 in each language: each key figure's label is the catalogue's form for
    its number, never the other one ("1 open escalation", "2 open escalations"). The
    figure and its label are laid out apart in the PDF, so the labels are checked in the
    chapter's text."""
    data = snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=region.start,
        period_end=region.end,
        audience="cores",
    )
    for language in ("fr", "nl", "en"):
        for count in (0, 1, 2):
            figures = copy.deepcopy(data)
            for key, _one, _many in FIGURES:
                figures["figures"][key] = count
            pdf, _pages = render.render_pdf(figures, language=language, meta={"version": 1})
            text = text_of(pdf)
            with translation.override(language):
                start = text.rfind(gettext("Key figures"))  # the chapter, not the contents
                block = text[start : start + 500]
                for _key, one, many in FIGURES:
                    shown = ngettext(one, many, count)
                    other = ngettext(one, many, 2 if count == 1 else 1)
                    assert shown in block
                    if other not in shown:  # ("open escalation" is in "…escalations")
                        assert other not in block
            if language == "en":
                assert ("open escalations" in block) is (count != 1)
