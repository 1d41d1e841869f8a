"""Hostile input to every form and every list filter: never a 5xx, a message, nothing saved.

The forms are discovered, not listed: every URL of the portal is opened (its ``pk`` filled
with an object of the kind its path names) by the first person of the cast who may use it,
each ``<form method="post">`` on the page is parsed, and each of its fields is posted again
with hostile values, one field at a time, the others keeping a plausible value. A new form
is therefore fuzzed the day it is added. The GET forms of the list pages get the same
treatment through their query string.

The second half is a table of the fuzzer's findings, checked at the service and helper
level where no form stands in front (CSV import, service calls, stored legacy rows).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from coordination.audit.models import AuditEntry
from coordination.audit.viewlog import VIEW_ACTION
from coordination.core import bounds, geo
from coordination.core.forms import (
    BoundedDateTimeField,
    IdChoiceField,
    IdMultipleChoiceField,
    SafeForm,
)
from coordination.models import User
from coordination.regional.bulletins.services import bulletin_publish
from coordination.regional.cores.services import cores_meeting_create
from hotspots.forms.indicators import posted_cells
from hotspots.models import IndicatorValue, MeasureType, PoliceOrder
from hotspots.services import indicators as indicator_services
from hotspots.services.orders import order_create
from reporting import services as report_services
from taskforces.models import Meeting, MeetingPoint
from taskforces.services.displacement import displacement_create
from taskforces.services.meetings import meeting_create, meeting_update
from tests.factories import commune
from tests.factories_taskforces import Cast, EscalationFactory

pytestmark = pytest.mark.django_db

BIG = 2**70

# --- What is posted ------------------------------------------------------------------

HOSTILE_TEXT = {"NUL byte": "avant\x00après", "escape": "a\x1b[31mb", "100 kB": "x" * 100_000}
HOSTILE_DATE = {
    "year 0000": "0000-01-01",
    "year 1 (BC in UTC)": "0001-01-01",
    "year 1900": "1900-01-01",
    "year 9999": "9999-12-31",
}
HOSTILE_DATETIME = {
    "year 0000": "0000-01-01T10:00",
    "year 1 (BC in UTC)": "0001-01-01T00:00",
    "year 1900": "1900-01-01T10:00",
    "year 9999": "9999-12-31T23:59",
}
HOSTILE_ID = {"2**70": str(BIG), "-1": "-1", "abc": "abc", "NUL byte": "1\x00"}
HOSTILE_NUMBER = {**HOSTILE_ID, "1e400": "1e400", "NaN": "NaN"}
DEEP_GEOJSON = "[" * 100_000 + "]" * 100_000
HUGE_GEOJSON = json.dumps(
    {"type": "Polygon", "coordinates": [[[4.35, 50.85]] * 200_000 + [[4.35, 50.85]]]}
)
HOSTILE_GEOJSON = {"deeply nested": DEEP_GEOJSON, "3 MB": HUGE_GEOJSON, "NUL byte": '{"\x00":1}'}

#: Uploads: made again for each post (a file object is read once).
HOSTILE_FILES = {
    "binary .csv": lambda: SimpleUploadedFile("x.csv", b"\x00\xff\xfe" * 2000, "text/csv"),
    "malformed CSV": lambda: SimpleUploadedFile(
        "x.csv",
        b'hotspot,indicator,month,value\n"HS10,\x00,0000-01,1e400\nHS10,x,9999-12,-1\n',
        "text/csv",
    ),
    "Latin-1 CSV": lambda: SimpleUploadedFile("x.csv", "mois;valeur\né;1\n".encode("latin-1")),
    "deep .geojson": lambda: SimpleUploadedFile("x.geojson", DEEP_GEOJSON.encode()),
    # The order form checks a PDF's name, type and magic bytes (hotspots.services.orders).
    "executable named .pdf": lambda: SimpleUploadedFile(
        "x.pdf", b"MZ\x90\x00" + b"\x00" * 500, "application/pdf"
    ),
}

#: Pages whose forms are not the portal's (Django's own auth views, django-otp set-up) or
#: that only sign out: they are not ours to bound, or have no field.
SKIPPED_NAMESPACES = {"admin", "two_factor"}
SKIPPED_NAMES = {"login", "logout", "password_change", "set_language", "calendar:feed"}

#: Hidden fields that only say where to come back to: junk falls back to the first page,
#: the action itself (mark as read) is legitimate.
IGNORED_FIELDS = {"page"}

#: The path segment before ``<int:pk>`` names the kind of object the page is about.
SEGMENT_TO_OBJECT = {
    "hotspots": "hotspot",
    "orders": "order",
    "taskforces": "taskforce",
    "members": "membership",
    "meetings": "meeting",
    "points": "point",
    "plan-versions": "plan_version",
    "actions": "action",
    "escalations": "escalation",
    "displacements": "displacement",
    "reports": "report",
    "cores": "cores_meeting",
    "bulletins": "bulletin",
    "notifications": "notification",
}


# --- Reading the forms of a page ------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, date, datetime-local, number, hidden, select, radio, checkbox, file
    value: str = ""
    multiple: bool = False  # a checkbox with a value: one of a multi-select


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)  # what the page would send
    enctype: str = ""


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._first_option: str | None = None
        self._selected = False
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(
                a.get("method", "get").lower(), a.get("action", ""), enctype=a.get("enctype", "")
            )
            self.forms.append(self._form)
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                return
            item = Field(name, kind, a.get("value", ""), kind == "checkbox" and "value" in a)
            form.fields.append(item)
            if kind in {"checkbox", "radio"}:
                form.values.setdefault(name, [])
                if "checked" in a:
                    form.values[name].append(item.value or "on")
            elif kind != "file":
                form.values[name] = [item.value]
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea")
            form.fields.append(self._textarea)
            form.values[name] = [""]
        elif tag == "select" and name:
            self._select = Field(name, "select", multiple="multiple" in a)
            self._first_option, self._selected = None, False
            form.fields.append(self._select)
            form.values[name] = []
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None and value:
                self._first_option = value
            if "selected" in a:
                form.values[self._select.name].append(value)
                self._selected = True

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._form is not None:
            self._form.values[self._textarea.name][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            if not self._selected and self._first_option is not None:
                self._form.values[self._select.name] = [self._first_option]
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def plausible(form: Form) -> dict[str, Any]:
    """What a person would post: the page's values, empty required ones filled sensibly."""
    data: dict[str, Any] = {name: list(values) for name, values in form.values.items()}
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for item in form.fields:
        current = data.get(item.name) or [""]
        if current != [""] and current:
            continue
        if item.kind == "date":
            data[item.name] = [(timezone.localdate() - dt.timedelta(days=1)).isoformat()]
        elif item.kind == "datetime-local":
            data[item.name] = [f"{tomorrow:%Y-%m-%d}T10:00"]
        elif item.kind in {"text", "textarea"}:
            data[item.name] = ["Valeur plausible"]
        elif item.kind == "number":
            data[item.name] = ["1"]
        elif item.kind == "radio":
            data[item.name] = [item.value]
    return {name: values for name, values in data.items() if values}


def hostile_values(item: Field) -> dict[str, Any]:
    if item.kind == "file":
        return HOSTILE_FILES
    if item.kind == "date":
        return HOSTILE_DATE
    if item.kind == "datetime-local":
        return HOSTILE_DATETIME
    if item.kind in {"select", "radio"} or item.multiple:
        return HOSTILE_ID
    if item.kind in {"number", "hidden"}:
        return HOSTILE_NUMBER if item.kind == "number" else HOSTILE_ID
    if item.kind == "checkbox":
        return {}  # a lone checkbox is a yes/no: any value means yes
    if item.kind == "textarea" and "geojson" in item.name:
        return {**HOSTILE_TEXT, **HOSTILE_GEOJSON}
    return HOSTILE_TEXT


# --- The URL conf ---------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    route: str


def pages() -> Iterator[Page]:
    def walk(patterns, route: str, namespace: str | None) -> Iterator[Page]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, route + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield Page(name, route + str(pattern.pattern))

    for page in walk(get_resolver().url_patterns, "", None):
        if page.name.split(":")[0] in SKIPPED_NAMESPACES or page.name in SKIPPED_NAMES:
            continue
        yield page


def page_args(page: Page, objects: dict[str, Any]) -> list[int] | None:
    """The ``pk`` of the object the page is about, or None when it cannot be filled."""
    parts = page.route.split("/")
    args = []
    for index, part in enumerate(parts):
        if "<" in part:
            if not part.startswith("<int:") or part.count("<") > 1 or index == 0:
                return None
            kind = SEGMENT_TO_OBJECT.get(parts[index - 1])
            target = objects.get(kind) if kind else None
            if target is None:
                return None
            args.append(target.pk)
    return args


# --- The world the pages are opened in ------------------------------------------------


@pytest.fixture
def world(
    hotspot_midi,
    mayor_anderlecht,
    police_member,
    association_member,
    csir_analyst,
    csir_coordinator,
) -> dict[str, Any]:
    cast = Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )
    today = timezone.localdate()
    meeting = meeting_create(
        taskforce=cast.taskforce,
        by=mayor_anderlecht,
        starts_at=timezone.now() + dt.timedelta(days=3),
        place="Maison communale",
    )
    point = MeetingPoint.objects.create(meeting=meeting, title="Éclairage")
    order = order_create(
        by=csir_coordinator,
        scope=PoliceOrder.Scope.LOCAL,
        hotspot=hotspot_midi,
        title_fr="Interdiction de lieu",
        title_nl="Plaatsverbod",
        measures=[MeasureType.PLACE_BAN],
        legal_reference="NLC art. 134ter",
        signatory="La bourgmestre",
        signed_on=today - dt.timedelta(days=10),
        valid_from=today - dt.timedelta(days=5),
        valid_until=today + dt.timedelta(days=60),
    )
    displacement = displacement_create(
        by=police_member,
        from_hotspot=hotspot_midi,
        phenomenon="dealing",
        commune=commune("21001"),
        place="Parvis",
        observed_on=today - dt.timedelta(days=1),
        severity="medium",
    )
    start, end = report_services.default_period()
    report = report_services.report_request(
        by=csir_coordinator, kind="regional", period_start=start, period_end=end, enqueue=False
    )[0]
    cores_meeting = cores_meeting_create(by=csir_coordinator, held_on=today)
    bulletin = bulletin_publish(by=csir_coordinator, title="Info", body="Texte")
    escalation = EscalationFactory(action=cast.security, raised_by=police_member)
    return {
        "cast": cast,
        "people": [
            csir_coordinator,
            csir_analyst,
            mayor_anderlecht,
            cast.coordinator,
            police_member,
            association_member,
        ],
        "hotspot": hotspot_midi,
        "order": order,
        "taskforce": cast.taskforce,
        "membership": cast.taskforce.memberships.get(user=association_member),
        "meeting": meeting,
        "point": point,
        "plan_version": cast.plan.versions.order_by("number").first(),
        "action": cast.security,
        "escalation": escalation,
        "displacement": displacement,
        "report": report,
        "cores_meeting": cores_meeting,
        "bulletin": bulletin,
        "notification": mayor_anderlecht.notifications.order_by("pk").first()
        or association_member.notifications.order_by("pk").first(),
    }


def _writes() -> int:
    return AuditEntry.objects.exclude(action=VIEW_ACTION).count()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies.load({"django_language": "en"})
    return client


def _first_usable(page: Page, args: list[int], people: list[User]) -> tuple[Client, str] | None:
    """A client of the first person for whom the page opens, and its HTML."""
    url = reverse(page.name, args=args)
    for person in people:
        client = _client(person)
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            return client, response.content.decode()
    return None


#: How the portal shows a refusal: field and form errors (templates/includes/form.html,
#: Django's error lists) or a message of the messages framework.
ERROR_MARKERS = (
    "field-errors",
    "form-errors",
    "errorlist",
    'role="alert"',
    "message-error",
    "message-warning",
)


def _refused_with_a_message(client: Client, response) -> bool:
    """A 4xx, the form again with its errors, or a redirect to a page with an error message
    (the small inline forms of lists answer that way)."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 302:
        response = client.get(response["Location"])
    html = response.content.decode(errors="replace")
    return response.status_code == 200 and any(marker in html for marker in ERROR_MARKERS)


# --- Every form -------------------------------------------------------------------------


def test_every_form_refuses_hostile_values_without_a_server_error(world):
    failures: list[str] = []
    fuzzed: set[str] = set()
    # The same form on several pages or rows (a role per member) is fuzzed once.
    done: set[tuple[str, str]] = set()
    skipped_targets = {reverse(name) for name in SKIPPED_NAMES if name != "calendar:feed"}
    for page in pages():
        args = page_args(page, world)
        if args is None:
            continue
        opened = _first_usable(page, args, world["people"])
        if opened is None:
            continue
        client, html = opened
        page_url = reverse(page.name, args=args)
        for form in forms_of(html):
            if form.method != "post" or not any(
                f.name != "csrfmiddlewaretoken" for f in form.fields
            ):
                continue
            target = urljoin(page_url, form.action)
            if target in skipped_targets:
                continue
            view = resolve(urlsplit(target).path).view_name
            baseline = plausible(form)
            for item in form.fields:
                # Grid cells (c-<indicator>-<year>-<month>-value) are one field each.
                key = (view, re.sub(r"\d+", "#", item.name))
                if item.name == "csrfmiddlewaretoken" or key in done:
                    continue
                done.add(key)
                for label, value in hostile_values(item).items():
                    data = {**baseline, item.name: value() if callable(value) else [value]}
                    before = _writes()
                    response = client.post(target, data)
                    where = f"{page.name} → {target} field {item.name!r} = {label}"
                    fuzzed.add(page.name)
                    if response.status_code >= 500:
                        failures.append(f"{where}: HTTP {response.status_code}")
                    elif _writes() != before:
                        failures.append(f"{where}: accepted and saved")
                    elif item.name not in IGNORED_FIELDS and not _refused_with_a_message(
                        client, response
                    ):
                        failures.append(f"{where}: HTTP {response.status_code} without a message")
    assert not failures, "\n".join(failures)
    # The discovery must reach the forms that matter, or the test proves nothing.
    expected = {
        "hotspots:propose",
        "hotspots:edit",
        "hotspots:perimeter",
        "hotspots:order_new",
        "hotspots:order_edit",
        "hotspots:indicator_import",
        "taskforces:meeting_new",
        "taskforces:meeting_edit",
        "taskforces:action_new",
        "taskforces:action_edit",
        "taskforces:displacement_new",
        "taskforces:members",
        "reporting:request",
        "cores:new",
        "cores:edit",
        "bulletins:new",
        "notifications:preferences",
    }
    assert expected <= fuzzed, f"not reached: {sorted(expected - fuzzed)}"


# --- Every filter -----------------------------------------------------------------------

FILTER_VALUES = {
    "NUL byte": "\x00",
    "escape": "a\x1b",
    "abc": "abc",
    "2**70": str(BIG),
    "superscript two": "²",
    "year 0000": "0000-01-01",
    "year 9999": "9999-12-31",
}
#: Parameters views read outside any form of their page (grep request.GET): pagination,
#: the year of the indicator grid, a preselected hotspot or axis.
RAW_PARAMETERS = {
    "hotspots:indicator_grid": {"year"},
    "hotspots:order_new": {"hotspot"},
    "taskforces:displacement_new": {"hotspot"},
    "taskforces:action_new": {"axis"},
    "notifications:list": {"page"},
    "bulletins:list": {"page"},
    "audit:list": {"page"},
}


def test_every_filter_ignores_junk_without_a_server_error(world):
    failures: list[str] = []
    checked = 0
    for page in pages():
        args = page_args(page, world)
        if args is None or (args and page.name not in RAW_PARAMETERS):
            continue  # the filters are on the list pages (no id in their path)
        opened = _first_usable(page, args, world["people"])
        if opened is None:
            continue
        client, html = opened
        names = {f.name for form in forms_of(html) if form.method == "get" for f in form.fields}
        names |= RAW_PARAMETERS.get(page.name, set())
        url = reverse(page.name, args=args)
        for name in sorted(names):
            for label, value in FILTER_VALUES.items():
                response = client.get(url, {name: value})
                checked += 1
                if response.status_code >= 500:
                    failures.append(f"{page.name} ?{name}={label}: HTTP {response.status_code}")
    assert not failures, "\n".join(failures)
    assert checked > 150


def test_a_junk_filter_is_ignored_with_a_message(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    client.cookies.load({"django_language": "en"})
    response = client.get(reverse("hotspots:list"), {"zone": "abc", "status": "active"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "were ignored" in html and "Police zone" in html
    assert hotspot_midi.code in html  # the valid filter still applies, the junk one does not
    response = client.get(reverse("reporting:list"), {"kind": "regional\x00"})
    assert response.status_code == 200 and "were ignored" in response.content.decode()


# --- The fuzzer's findings, where no form stands in front ---------------------------------


@pytest.mark.parametrize(
    ("bound", "value", "ok"),
    [
        (bounds.MEETING, dt.date(9999, 12, 31), False),
        (bounds.MEETING, dt.date(1, 1, 1), False),
        (bounds.MEETING, dt.date(1900, 1, 1), False),
        (bounds.MEETING, bounds.STRATEGY_START, True),
        (bounds.POLICE_ORDER, dt.date(2023, 12, 31), False),
        (bounds.REPORT_PERIOD, dt.date(1, 1, 1), False),
        (bounds.REPORT_PERIOD, dt.date.today() + dt.timedelta(days=2), False),
        (bounds.INDICATOR_MONTH, dt.date(2015, 1, 1), True),
        (bounds.INDICATOR_MONTH, dt.date(2014, 12, 1), False),
        (bounds.DISPLACEMENT, dt.date.today() + dt.timedelta(days=2), False),
    ],
)
def test_the_date_bounds(bound, value, ok):
    if ok:
        bounds.check_date(value, bound)
    else:
        with pytest.raises(ValidationError) as error:
            bounds.check_date(value, bound)
        assert f"{bound.earliest():%Y}" in str(error.value.messages[0])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("0", None),
        ("-1", None),
        ("abc", None),
        ("²", None),
        ("١٢", None),
        (str(BIG), None),
        (str(2**63 - 1), 2**63 - 1),
        ("1\x00", None),
        (None, None),
        (7, 7),
    ],
)
def test_parse_id(value, expected):
    assert bounds.parse_id(value) == expected


def test_a_far_meeting_is_refused_by_the_service(world):
    cast = world["cast"]
    for starts_at in (
        dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC),
        dt.datetime(1, 1, 2, tzinfo=dt.UTC),
    ):
        with pytest.raises(ValidationError):
            meeting_create(
                taskforce=cast.taskforce, by=cast.chair, starts_at=starts_at, place="Nulle part"
            )
    assert Meeting.objects.filter(starts_at__year__in=[1, 9999]).count() == 0


def test_a_legacy_meeting_of_1900_can_still_be_corrected(world):
    """Rows stored before the bounds existed stay editable (and so cancellable)."""
    meeting = world["meeting"]
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=dt.datetime(1900, 1, 1, 10, tzinfo=dt.UTC)
    )
    meeting.refresh_from_db()
    meeting_update(meeting=meeting, by=world["cast"].chair, minutes="Compte rendu")
    meeting_update(
        meeting=meeting, by=world["cast"].chair, starts_at=meeting.starts_at, place="Ailleurs"
    )
    moved = timezone.now() + dt.timedelta(days=2)
    meeting_update(meeting=meeting, by=world["cast"].chair, starts_at=moved)
    meeting.refresh_from_db()
    assert meeting.starts_at == moved
    # Its edit page opens and keeps the legacy date when only the minutes change.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=dt.datetime(1900, 1, 1, 10, tzinfo=dt.UTC)
    )
    client = _client(world["cast"].chair)
    url = reverse("taskforces:meeting_edit", args=[meeting.pk])
    html = client.get(url).content.decode()
    assert 'max="' not in html.split('name="starts_at"')[1].split(">")[0]  # the browser sends it
    form = next(f for f in forms_of(html) if "starts_at" in f.values)
    response = client.post(url, {**plausible(form), "minutes": ["Encore"]})
    assert response.status_code == 302, response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "Encore" and meeting.starts_at.year == 1900


def test_a_report_period_from_year_one_is_refused(world):
    with pytest.raises(ValidationError):
        report_services.report_request(
            by=world["people"][0],
            kind="regional",
            period_start=dt.date(1, 1, 1),
            period_end=timezone.localdate(),
            enqueue=False,
        )


def test_an_order_signed_in_year_one_is_refused_by_the_service(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        order_create(
            by=world["people"][0],
            scope=PoliceOrder.Scope.REGIONAL,
            title_fr="t",
            title_nl="t",
            measures=[MeasureType.PLACE_BAN],
            legal_reference="r",
            signatory="s",
            signed_on=dt.date(1, 1, 1),
            valid_from=today,
            valid_until=dt.date(9999, 12, 31),
        )
    assert set(error.value.message_dict) >= {"signed_on", "valid_until"}


def test_the_indicator_import_refuses_implausible_months(world):
    csv = "hotspot,indicator,month,value\nHS10,x,0000-01,1\nHS10,x,1999-01,1\nHS10,x,9999-01,1\n"
    before = IndicatorValue.objects.count()
    result = indicator_services.import_csv(file_bytes_or_text=csv, by=world["people"][0])
    assert not result.ok and IndicatorValue.objects.count() == before
    text = " ".join(str(reason) for line in result.errors for reason in line.reasons)
    assert "1999-01" not in text or "between" in text


@pytest.mark.parametrize(
    "name", ["c-1-0000-01-value", f"c-{BIG}-2025-01-value", "c-1-2025-13-value"]
)
def test_posted_cells_skip_impossible_cells(name):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data[name] = "1"
    assert posted_cells(data) == []


def test_an_indicator_cell_for_year_0000_is_not_a_server_error(world):
    client = _client(world["people"][0])
    url = reverse("hotspots:indicator_cell", args=[world["hotspot"].pk])
    response = client.post(url, {"c-1-0000-01-value": "3", "c-1-0000-01-original": ""})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (DEEP_GEOJSON, "too_deep"),
        ('{"type": "Polygon", "coordinates": ' + "[" * 40 + "]" * 40 + "}", "too_deep"),
        (HUGE_GEOJSON, "too_big"),
        ("{" * 3000, "too_deep"),
    ],
)
def test_geojson_depth_and_size_are_bounded(text, code):
    with pytest.raises(geo.GeometryError) as error:
        geo.parse_area(text)
    assert error.value.code == code


def test_brackets_inside_strings_do_not_count_as_depth():
    area = {
        "type": "Feature",
        "properties": {"name": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ \\" + '"' + " {{{{{{{{{{{{{{{{{{{"},
        "geometry": geo.circle_area(4.3352, 50.8352, 250),
    }
    assert geo.parse_area(json.dumps(area)).area > 0


def test_every_form_uses_the_bounded_fields():
    """No form of the portal keeps a raw date, datetime or model-choice field."""
    import importlib
    import inspect
    import pkgutil

    from django import forms

    modules = [
        "coordination.audit.views",
        "coordination.notifications.forms",
        "coordination.regional.bulletins.forms",
        "coordination.regional.cores.forms",
        "reporting.forms",
    ]
    for package in ("hotspots.forms", "taskforces.forms"):
        pkg = importlib.import_module(package)
        modules += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]
    problems = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module_name:
                continue
            if not issubclass(cls, SafeForm):
                problems.append(f"{module_name}.{name} is not a SafeForm")
            for field_name, item in cls.base_fields.items():
                raw_choice = isinstance(item, forms.ModelChoiceField) and not isinstance(
                    item, IdChoiceField | IdMultipleChoiceField
                )
                raw_date = type(item) in {forms.DateField, forms.DateTimeField}
                if raw_choice or raw_date:
                    problems.append(f"{module_name}.{name}.{field_name}: {type(item).__name__}")
    assert not problems, "\n".join(problems)


def test_the_datetime_field_refuses_overflowing_values():
    field = BoundedDateTimeField(bounds=bounds.MEETING)
    for value in HOSTILE_DATETIME.values():
        with pytest.raises(ValidationError):
            field.clean(value)


def test_date_helpers_do_not_overflow_on_stored_far_dates():
    from coordination.core import dates

    far = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)
    assert dates.shift(far, dt.timedelta(hours=2)) is None
    assert dates.shift(dt.date(1, 1, 1), dt.timedelta(days=-1)) is None
    assert dates.shift(dt.date(2025, 1, 1), dt.timedelta(days=1)) == dt.date(2025, 1, 2)
    assert (
        dates.to_utc(dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))) is None
    )
    with pytest.raises(OverflowError):
        dates.add_months(dt.date(9999, 12, 1), 1)
