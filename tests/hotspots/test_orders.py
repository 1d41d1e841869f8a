"""Police orders: states from dates, what is in force where, who records them, documents,
reminders before expiry, and the list's cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.models import AuditEntry, Notification
from hotspots import notifications, tasks
from hotspots.models import MeasureType, OrderReminder, PoliceOrder
from hotspots.selectors.orders import in_force, orders_for_list
from hotspots.services.orders import MAX_DOCUMENT_SIZE, check_pdf, order_create, order_update
from tests.factories import HotspotFactory

pytestmark = pytest.mark.django_db

State = PoliceOrder.State
Scope = PoliceOrder.Scope
TODAY = dt.date(2025, 6, 15)
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_order(by, *, hotspot=None, start=TODAY, days=30, **fields) -> PoliceOrder:
    values = {
        "scope": Scope.LOCAL if hotspot else Scope.REGIONAL,
        "title_fr": "Arrêté de test",
        "title_nl": "Testverordening",
        "measures": [MeasureType.PLACE_BAN],
        "legal_reference": "NLC art. 134sexies",
        "signatory": "Le bourgmestre",
        "signed_on": start - dt.timedelta(days=2),
        "valid_from": start,
        "valid_until": start + dt.timedelta(days=days),
        **fields,
    }
    return order_create(by=by, hotspot=hotspot, **values)


def form_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "scope": "regional",
        "hotspot": "",
        "title_fr": "Arrêté du Ministre-Président",
        "title_nl": "Besluit van de Minister-President",
        "measures": ["alcohol_ban", "laughing_gas_ban"],
        "measure_details": "De 20 h à 6 h.",
        "legal_reference": "Loi spéciale du 12 janvier 1989, art. 48",
        "signatory": "Le Ministre-Président",
        "signer": "",
        "signed_on": (today - dt.timedelta(days=3)).isoformat(),
        "valid_from": (today - dt.timedelta(days=1)).isoformat(),
        "valid_until": (today + dt.timedelta(days=180)).isoformat(),
        "extends": "",
    }
    data.update(overrides)
    return data


def pdf_upload(content: bytes = PDF, name: str = "arrete.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def hidden_hotspot(csir_analyst):
    """A hotspot still proposed, in Molenbeek: only the CSIR and its mayor know of it."""
    return HotspotFactory(
        code="HS99", status="proposed", communes=["21012"], proposed_by=csir_analyst
    )


# --- States and what is in force ------------------------------------------------------


def test_state_follows_the_dates(csir_coordinator):
    order = make_order(csir_coordinator, start=TODAY, days=10)
    assert order.state_on(TODAY - dt.timedelta(days=1)) == State.UPCOMING
    assert order.state_on(TODAY) == State.IN_FORCE
    assert order.state_on(TODAY + dt.timedelta(days=10)) == State.IN_FORCE
    assert order.state_on(TODAY + dt.timedelta(days=11)) == State.EXPIRED


def test_list_filters_by_state(csir_coordinator):
    today = timezone.localdate()
    upcoming = make_order(csir_coordinator, start=today + dt.timedelta(days=5))
    current = make_order(csir_coordinator, start=today - dt.timedelta(days=5))
    expired = make_order(csir_coordinator, start=today - dt.timedelta(days=60), days=10)
    assert (upcoming.state, current.state, expired.state) == (
        State.UPCOMING,
        State.IN_FORCE,
        State.EXPIRED,
    )
    for order in (upcoming, current, expired):
        assert list(orders_for_list(csir_coordinator, state=order.state)) == [order]


def test_in_force_on_a_hotspot(csir_coordinator, hotspot_midi, hotspot_molenbeek):
    regional = make_order(csir_coordinator, start=TODAY - dt.timedelta(days=20))
    local = make_order(csir_coordinator, hotspot=hotspot_midi, start=TODAY - dt.timedelta(days=3))
    make_order(csir_coordinator, hotspot=hotspot_molenbeek, start=TODAY - dt.timedelta(days=3))
    make_order(csir_coordinator, hotspot=hotspot_midi, start=TODAY - dt.timedelta(days=90))
    make_order(csir_coordinator, start=TODAY + dt.timedelta(days=1))
    assert set(in_force(hotspot_midi, on=TODAY)) == {regional, local}


# --- Recording through the views ------------------------------------------------------


def test_csir_records_a_regional_order(client, csir_coordinator):
    client.force_login(csir_coordinator)
    response = client.post(reverse("hotspots:order_new"), {**form_data(), "document": pdf_upload()})
    order = PoliceOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotspots:order_detail", args=[order.pk])
    assert (order.scope, order.hotspot, order.created_by) == (
        Scope.REGIONAL,
        None,
        csir_coordinator,
    )
    assert order.measures == ["alcohol_ban", "laughing_gas_ban"]
    assert order.document.name.endswith(".pdf")
    entry = AuditEntry.objects.get(action="order.create")
    assert entry.actor == csir_coordinator and entry.target_id == str(order.pk)
    assert entry.changes["scope"] == "regional"


def test_mayor_records_a_local_order_for_a_hotspot_of_their_commune(
    client, mayor_anderlecht, hotspot_midi
):
    client.force_login(mayor_anderlecht)
    url = reverse("hotspots:order_new") + f"?hotspot={hotspot_midi.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="regional"' not in page.content.decode()
    data = form_data(scope="local", hotspot=hotspot_midi.pk, signer=mayor_anderlecht.pk)
    response = client.post(url, data)
    assert response.status_code == 302
    order = PoliceOrder.objects.get()
    assert (order.scope, order.hotspot, order.signer) == (
        Scope.LOCAL,
        hotspot_midi,
        mayor_anderlecht,
    )
    assert AuditEntry.objects.filter(action="order.create", actor=mayor_anderlecht).exists()


def test_a_mayor_cannot_record_a_regional_order(client, mayor_anderlecht, hotspot_midi):
    client.force_login(mayor_anderlecht)
    response = client.post(reverse("hotspots:order_new"), form_data(hotspot=hotspot_midi.pk))
    assert response.status_code == 200
    assert not PoliceOrder.objects.exists()
    with pytest.raises(PermissionDenied):
        make_order(mayor_anderlecht)


def test_mayor_of_another_commune_is_refused(client, mayor_other, hotspot_midi):
    client.force_login(mayor_other)
    url = reverse("hotspots:order_new")
    assert client.get(f"{url}?hotspot={hotspot_midi.pk}").status_code == 403
    data = form_data(scope="local", hotspot=hotspot_midi.pk)
    assert client.post(f"{url}?hotspot={hotspot_midi.pk}", data).status_code == 403
    assert client.post(url, data).status_code == 403
    assert not PoliceOrder.objects.exists()


def test_association_member_may_not_record_or_change(
    client, association_member, csir_coordinator, hotspot_midi
):
    order = make_order(csir_coordinator, hotspot=hotspot_midi)
    client.force_login(association_member)
    assert client.get(reverse("hotspots:order_new")).status_code == 403
    assert client.post(reverse("hotspots:order_new"), form_data()).status_code == 403
    edit = reverse("hotspots:order_edit", args=[order.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data()).status_code == 403
    # They may read it: orders are legal acts.
    assert client.get(reverse("hotspots:order_detail", args=[order.pk])).status_code == 200
    assert PoliceOrder.objects.get().title_fr == "Arrêté de test"


@pytest.mark.parametrize("who", ["csir_coordinator", "mayor_anderlecht", "association_member"])
@pytest.mark.parametrize("name", ["order_detail", "order_edit", "order_document"])
def test_unknown_order_is_not_found(client, request, who, name):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(f"hotspots:{name}", args=[987654])).status_code == 404


@pytest.mark.parametrize("who", ["association_member", "mayor_anderlecht", "police_member"])
def test_order_of_a_hidden_hotspot_is_not_found(
    client, request, who, csir_coordinator, hidden_hotspot
):
    order = make_order(csir_coordinator, hotspot=hidden_hotspot, document=ContentFile(PDF, "a.pdf"))
    client.force_login(request.getfixturevalue(who))
    for name in ("order_detail", "order_edit", "order_document"):
        assert client.get(reverse(f"hotspots:{name}", args=[order.pk])).status_code == 404
    assert order not in orders_for_list(request.getfixturevalue(who))


def test_views_accept_only_their_methods(client, csir_coordinator):
    order = make_order(csir_coordinator)
    client.force_login(csir_coordinator)
    assert client.post(reverse("hotspots:orders")).status_code == 405
    assert client.post(reverse("hotspots:order_detail", args=[order.pk])).status_code == 405
    assert client.delete(reverse("hotspots:order_edit", args=[order.pk])).status_code == 405
    assert client.post(reverse("hotspots:order_document", args=[order.pk])).status_code == 405


# --- Correcting an order --------------------------------------------------------------


def test_mayor_corrects_their_order_and_the_change_is_audited(
    client, mayor_saint_gilles, hotspot_midi
):
    order = make_order(mayor_saint_gilles, hotspot=hotspot_midi)
    client.force_login(mayor_saint_gilles)
    url = reverse("hotspots:order_edit", args=[order.pk])
    assert client.get(url).status_code == 200
    data = form_data(
        scope="local",
        hotspot=hotspot_midi.pk,
        title_fr=order.title_fr,
        title_nl=order.title_nl,
        measures=["place_ban", "closure"],
        legal_reference=order.legal_reference,
        signatory=order.signatory,
        measure_details="",
        signed_on=order.signed_on.isoformat(),
        valid_from=order.valid_from.isoformat(),
        valid_until=(order.valid_until + dt.timedelta(days=30)).isoformat(),
    )
    assert client.post(url, data).status_code == 302
    order.refresh_from_db()
    assert order.measures == ["place_ban", "closure"]
    entry = AuditEntry.objects.get(action="order.update")
    assert entry.actor == mayor_saint_gilles
    assert set(entry.changes) == {"measures", "valid_until"}


def test_a_mayor_cannot_correct_a_regional_order(client, mayor_anderlecht, csir_coordinator):
    order = make_order(csir_coordinator)
    client.force_login(mayor_anderlecht)
    assert client.get(reverse("hotspots:order_edit", args=[order.pk])).status_code == 403


def test_a_mayor_cannot_move_an_order_out_of_their_commune(
    mayor_anderlecht, hotspot_midi, hotspot_molenbeek
):
    order = make_order(mayor_anderlecht, hotspot=hotspot_midi)
    with pytest.raises(PermissionDenied):
        order_update(order=order, by=mayor_anderlecht, hotspot=hotspot_molenbeek)
    order.refresh_from_db()
    assert order.hotspot == hotspot_midi


# --- The rules ------------------------------------------------------------------------


def test_an_order_cannot_end_before_it_starts(csir_coordinator):
    with pytest.raises(ValidationError) as error:
        make_order(csir_coordinator, days=-1)
    assert "valid_until" in error.value.error_dict
    assert not PoliceOrder.objects.exists()


def test_scope_and_hotspot_go_together(csir_coordinator, hotspot_midi):
    with pytest.raises(ValidationError) as error:
        make_order(csir_coordinator, scope=Scope.LOCAL)
    assert "hotspot" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        make_order(csir_coordinator, hotspot=hotspot_midi, scope=Scope.REGIONAL)
    assert "hotspot" in error.value.error_dict


def test_an_extension_follows_the_order_it_extends(csir_coordinator, hotspot_midi):
    first = make_order(csir_coordinator, start=TODAY, days=180)
    extension = make_order(csir_coordinator, start=TODAY + dt.timedelta(days=181), extends=first)
    assert list(first.extensions.all()) == [extension]
    with pytest.raises(ValidationError) as error:
        make_order(csir_coordinator, hotspot=hotspot_midi, extends=first)
    assert "extends" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        make_order(csir_coordinator, start=TODAY - dt.timedelta(days=1), extends=first)
    assert "valid_from" in error.value.error_dict
    with pytest.raises(ValidationError):
        order_update(order=first, by=csir_coordinator, extends=extension)


def test_the_form_reports_the_rules_on_their_fields(client, csir_coordinator):
    client.force_login(csir_coordinator)
    data = form_data(valid_from="2025-06-10", valid_until="2025-06-01")
    response = client.post(reverse("hotspots:order_new"), data)
    assert response.status_code == 200
    assert "An order cannot end before it starts." in response.content.decode()
    assert not PoliceOrder.objects.exists()


# --- The signed document --------------------------------------------------------------


def test_a_renamed_non_pdf_is_refused(client, csir_coordinator, settings):
    client.force_login(csir_coordinator)
    fake = SimpleUploadedFile("arrete.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("hotspots:order_new"), {**form_data(), "document": fake})
    assert response.status_code == 200
    assert "This file is not a PDF document, whatever its name says." in response.content.decode()
    assert not PoliceOrder.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.pdf"))


def test_an_oversized_pdf_is_refused(client, csir_coordinator):
    client.force_login(csir_coordinator)
    big = pdf_upload(PDF + b"0" * (MAX_DOCUMENT_SIZE + 1 - len(PDF)))
    response = client.post(reverse("hotspots:order_new"), {**form_data(), "document": big})
    assert response.status_code == 200
    assert "The file is too large" in response.content.decode()
    assert not PoliceOrder.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "code"),
    [
        ("arrete.docx", PDF, "application/pdf", "extension"),
        ("arrete.pdf", PDF, "text/html", "type"),
        ("arrete.pdf", b"<html>", "application/pdf", "content"),
    ],
)
def test_check_pdf_refuses(name, content, content_type, code):
    with pytest.raises(ValidationError) as error:
        check_pdf(SimpleUploadedFile(name, content, content_type=content_type))
    assert error.value.code == code


def test_check_pdf_accepts_a_pdf():
    upload = pdf_upload()
    check_pdf(upload)
    assert upload.read(5) == b"%PDF-"


def test_the_document_is_streamed_to_those_who_see_the_order(
    client, csir_coordinator, association_member, hotspot_midi, hidden_hotspot
):
    public = make_order(csir_coordinator, hotspot=hotspot_midi, document=ContentFile(PDF, "a.pdf"))
    hidden = make_order(
        csir_coordinator, hotspot=hidden_hotspot, document=ContentFile(PDF, "b.pdf")
    )
    client.force_login(association_member)
    response = client.get(reverse("hotspots:order_document", args=[public.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    assert client.get(reverse("hotspots:order_document", args=[hidden.pk])).status_code == 404


def test_no_document_no_download(client, csir_coordinator):
    order = make_order(csir_coordinator)
    client.force_login(csir_coordinator)
    assert client.get(reverse("hotspots:order_document", args=[order.pk])).status_code == 404


# --- Reminders ------------------------------------------------------------------------


@pytest.mark.parametrize("days", [14, 3])
def test_reminder_before_expiry_reaches_signer_and_csir_once(
    mailoutbox,
    django_capture_on_commit_callbacks,
    days,
    csir_coordinator,
    csir_analyst,
    mayor_anderlecht,
    hotspot_midi,
):
    order = make_order(
        mayor_anderlecht,
        hotspot=hotspot_midi,
        start=TODAY - dt.timedelta(days=60),
        days=60 + days,
        signer=mayor_anderlecht,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.remind_expiring_orders(TODAY) == 3
    # Told in the notification centre, and by e-mail (everyone here chose 'immediate').
    told = Notification.objects.filter(kind="order_expiring")
    assert {n.recipient for n in told} == {csir_coordinator, csir_analyst, mayor_anderlecht}
    assert {n.url for n in told} == {reverse("hotspots:order_detail", args=[order.pk])}
    recipients = {message.to[0] for message in mailoutbox}
    assert recipients == {csir_coordinator.email, csir_analyst.email, mayor_anderlecht.email}
    assert all(order.title_fr in message.subject for message in mailoutbox)
    assert reverse("hotspots:order_detail", args=[order.pk]) in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.remind_expiring_orders(TODAY) == 0
    assert len(mailoutbox) == 3 and told.count() == 3
    assert OrderReminder.objects.get().days_before == days


@pytest.mark.parametrize("days", [0, 2, 4, 13, 15])
def test_no_reminder_on_other_days(mailoutbox, days, csir_coordinator, hotspot_midi):
    make_order(csir_coordinator, start=TODAY - dt.timedelta(days=10), days=10 + days)
    assert notifications.remind_expiring_orders(TODAY) == 0
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_reminder_task_runs_daily_in_beat(settings, mailoutbox, csir_coordinator):
    today = timezone.localdate()
    make_order(csir_coordinator, start=today - dt.timedelta(days=10), days=24)
    assert tasks.remind_expiring_orders.delay().get() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["remind-expiring-police-orders"]
    assert entry["task"] == "hotspots.remind_expiring_orders"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


# --- The list: cost and escaping ------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("hotspots:orders"))
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    first = make_order(csir_coordinator, hotspot=hotspot_midi)
    for _ in range(4):
        make_order(csir_coordinator, hotspot=hotspot_midi, extends=first)
    few = _list_queries(client)
    for _ in range(45):
        make_order(csir_coordinator, extends=None)
    assert PoliceOrder.objects.count() == 50
    assert _list_queries(client) == few


def test_list_filters_with_get_and_htmx(client, csir_coordinator, hotspot_midi):
    today = timezone.localdate()
    make_order(csir_coordinator, title_fr="Régional en vigueur", start=today)
    make_order(
        csir_coordinator,
        hotspot=hotspot_midi,
        title_fr="Local expiré",
        start=today - dt.timedelta(days=90),
    )
    client.force_login(csir_coordinator)
    page = client.get(reverse("hotspots:orders"), {"state": "expired"}).content.decode()
    assert "Local expiré" in page and "Régional en vigueur" not in page
    page = client.get(reverse("hotspots:orders"), {"scope": "regional"}).content.decode()
    assert "Régional en vigueur" in page and "Local expiré" not in page
    fragment = client.get(
        reverse("hotspots:orders"), {"scope": "local"}, headers={"HX-Request": "true"}
    )
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="orders-table"') and "Local expiré" in body
    assert client.get(reverse("hotspots:orders"), {"state": "bogus"}).status_code == 200


def test_titles_are_escaped(client, csir_coordinator):
    order = make_order(csir_coordinator, title_fr="<script>alert(1)</script>")
    client.force_login(csir_coordinator)
    for url in (reverse("hotspots:orders"), reverse("hotspots:order_detail", args=[order.pk])):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_detail_shows_the_order_and_its_chain(client, csir_coordinator):
    first = make_order(csir_coordinator, title_fr="Premier", start=TODAY, days=10)
    second = make_order(
        csir_coordinator,
        title_fr="Prolongation",
        start=TODAY + dt.timedelta(days=11),
        extends=first,
    )
    client.force_login(csir_coordinator)
    body = client.get(reverse("hotspots:order_detail", args=[first.pk])).content.decode()
    assert reverse("hotspots:order_detail", args=[second.pk]) in body
    assert "status-expired" in body and "NLC art. 134sexies" in body
    body = client.get(reverse("hotspots:order_detail", args=[second.pk])).content.decode()
    assert reverse("hotspots:order_detail", args=[first.pk]) in body


# --- Demo -----------------------------------------------------------------------------


def test_demo_orders_are_idempotent_and_current(
    monkeypatch, csir_coordinator, mayor_anderlecht, hotspot_midi, hotspot_molenbeek
):
    from hotspots import demo_orders

    people = {"csir.coordinator": csir_coordinator, "mayor.anderlecht": mayor_anderlecht}
    hotspots = {"HS08": HotspotFactory(code="HS08", communes=["21001"]), "HS12": hotspot_molenbeek}
    future = dt.date(2031, 2, 1)
    monkeypatch.setattr(demo_orders.timezone, "localdate", lambda: future)
    demo_orders.seed(people=people, hotspots=hotspots)
    count = PoliceOrder.objects.count()
    demo_orders.seed(people=people, hotspots=hotspots)
    assert PoliceOrder.objects.count() == count
    regional = PoliceOrder.objects.filter(scope=Scope.REGIONAL)
    assert [o.state_on(future) for o in regional].count(State.IN_FORCE) == 1
    first = regional.get(extends=None)
    assert first.valid_from == dt.date(2024, 4, 2) and first.document.read(5) == b"%PDF-"
    local = PoliceOrder.objects.get(hotspot=hotspots["HS08"])
    assert 0 <= (local.valid_until - future).days <= 14
