"""A bulletin's life: published once per form, corrected as a new version, withdrawn with a
reason; those who had read it are told, nothing is deleted, everything is audited."""

from __future__ import annotations

import re
import threading
import uuid
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.core import once
from coordination.models import AuditEntry, Notification
from coordination.notifications.services import message
from coordination.regional.bulletins import selectors, services
from coordination.regional.bulletins.models import Bulletin
from taskforces.services.taskforces import membership_add, taskforce_open
from tests.conftest import require
from tests.factories import AgencyFactory, UserFactory
from tests.regional.test_bulletins import bulletin_badge

pytestmark = pytest.mark.django_db


@pytest.fixture
def midi(hotspot_midi, csir_analyst, csir_coordinator, police_member):
    taskforce = taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    membership_add(taskforce=taskforce, user=police_member, role="member", by=csir_coordinator)
    return taskforce


@pytest.fixture
def molenbeek(hotspot_molenbeek, csir_analyst, association_member):
    taskforce = taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    membership_add(taskforce=taskforce, user=association_member, role="member", by=csir_analyst)
    return taskforce


@pytest.fixture
def loner(db):
    """Agency staff in no task force: outside every audience."""
    return UserFactory(username="loner", agency=AgencyFactory(name_fr="Fedasil"))


@pytest.fixture
def bulletin(midi, molenbeek, csir_coordinator):
    """To everybody, from the CSIR coordinator."""
    return services.bulletin_publish(
        by=csir_coordinator,
        title="Fermeture de la station Clemenceau",
        body="La station est fermée du 3 au 7 mars.",
    )


def detail(bulletin: Bulletin) -> str:
    return reverse("bulletins:detail", args=[bulletin.pk])


def read(client, user, bulletin: Bulletin) -> None:
    client.force_login(user)
    assert client.get(detail(bulletin)).status_code == 200


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def shown_messages(response) -> list[str]:
    return [str(item) for item in get_messages(response.wsgi_request)]


FORM = {"title": "Contrôles renforcés", "body": "Du lundi au vendredi.", "to_all": "1"}


# --- One submission per form -----------------------------------------------------------------


def test_the_same_form_sent_twice_publishes_once_and_tells_once(
    client, midi, molenbeek, csir_coordinator, police_member, django_capture_on_commit_callbacks
):
    client.force_login(csir_coordinator)
    listing = client.get(reverse("bulletins:list")).text
    token = re.search(r'href="/bulletins/new/\?once=([0-9a-f-]{36})"', listing).group(1)
    page = client.get(reverse("bulletins:new"), {"once": token}).text
    # The form page fetched again (the back button: pages are no-store) shows the same token.
    assert f'name="once" value="{token}"' in page
    url = f"{reverse('bulletins:new')}?once={token}"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {**FORM, "once": token})
    published = Bulletin.objects.get()
    assert first.status_code == 302 and first.url == detail(published)
    assert published.submission_token == uuid.UUID(token)
    announced = Notification.objects.filter(kind="bulletin_published").count()
    assert announced == selectors.audience(published).count() > 1

    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, {**FORM, "title": "Contrôles renforcés (bis)", "once": token})
    assert second.status_code == 302 and second.url == detail(published)
    assert any("Already published" in text for text in shown_messages(second))
    assert Bulletin.objects.count() == 1
    assert Notification.objects.filter(kind="bulletin_published").count() == announced
    assert Notification.objects.filter(recipient=police_member).count() == 1
    assert AuditEntry.objects.filter(action="bulletin.publish").count() == 1

    # Back on the form page: it says what it already published, and offers a new form.
    again = client.get(reverse("bulletins:new"), {"once": token}).text
    assert "This form was already sent" in again and detail(published) in again
    new_token = re.search(r'href="\?once=([0-9a-f-]{36})"', again).group(1)
    assert new_token != token


def test_a_new_token_publishes_a_new_bulletin_and_no_token_still_works(
    client, midi, molenbeek, csir_coordinator
):
    client.force_login(csir_coordinator)
    client.post(reverse("bulletins:new"), {**FORM, "once": str(uuid.uuid4())})
    client.post(reverse("bulletins:new"), {**FORM, "once": str(uuid.uuid4())})
    client.post(reverse("bulletins:new"), FORM)  # an older page without the field
    # A mangled token is nobody's fault: the form is sent without the guard, no error.
    assert client.post(reverse("bulletins:new"), {**FORM, "once": "x" * 5000}).status_code == 302
    assert client.get(reverse("bulletins:new"), {"once": "\x00"}).status_code == 200
    assert Bulletin.objects.count() == 4


def test_a_good_practice_shared_twice_is_shared_once(client, midi, molenbeek, police_member):
    client.force_login(police_member)
    token = str(uuid.uuid4())
    data = {
        "taskforce": midi.pk,
        "title": "Maraudes",
        "body": "Avec les éducateurs.",
        "once": token,
    }
    first = client.post(reverse("bulletins:share"), data)
    second = client.post(reverse("bulletins:share"), data)
    practice = Bulletin.objects.get()
    assert first.url == second.url == detail(practice)
    assert Notification.objects.filter(kind="good_practice_shared").count() == (
        selectors.audience(practice).count()
    )


def test_two_posts_that_pass_the_first_look_together_publish_one(midi, molenbeek, csir_coordinator):
    """The race, replayed: the second POST looked before the first one's row existed; its
    insert then meets the unique constraint, and everything it did is undone."""
    token = uuid.uuid4()
    first = services.bulletin_publish(by=csir_coordinator, title="A", body="B", once=token)
    announced = Notification.objects.count()
    real_used = once.used
    looks = iter([None])  # the second POST's first look finds nothing…

    def late_look(*args, **kwargs):
        return next(looks, None) or real_used(*args, **kwargs)

    with (
        mock.patch.object(once, "used", side_effect=late_look),
        pytest.raises(once.AlreadyDone) as done,
    ):
        services.bulletin_publish(by=csir_coordinator, title="A", body="B", once=token)
    assert done.value.obj == first  # …and its insert finds the first one's row
    assert Bulletin.objects.count() == 1
    assert Notification.objects.count() == announced
    assert AuditEntry.objects.filter(action="bulletin.publish").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_with_the_same_token_publish_one(
    reference_data, hotspot_midi, csir_analyst, csir_coordinator, police_member
):
    require(connection.vendor == "postgresql", "PostgreSQL (concurrent transactions)")
    taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    token = uuid.uuid4()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def post() -> None:
        try:
            start.wait(timeout=10)
            services.bulletin_publish(by=csir_coordinator, title="A", body="B", once=token)
            outcomes.append("published")
        except once.AlreadyDone:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already", "published"]
    assert Bulletin.objects.filter(submission_token=token).count() == 1
    assert AuditEntry.objects.filter(action="bulletin.publish").count() == 1


# --- Correction ------------------------------------------------------------------------------


def test_a_correction_is_a_new_version_told_to_exactly_those_who_had_read_it(
    client,
    bulletin,
    csir_analyst,
    csir_coordinator,
    police_member,
    association_member,
    mayor_anderlecht,
):
    read(client, police_member, bulletin)
    read(client, mayor_anderlecht, bulletin)
    # association_member was announced the bulletin but never opened it.
    client.force_login(csir_analyst)  # the CSIR corrects a colleague's bulletin
    response = client.post(
        reverse("bulletins:correct", args=[bulletin.pk]),
        {
            "title": "Fermeture de la station Clemenceau",
            "body": "La station est fermée du 3 au 9 mars.",
            "note": "Deux jours de plus.",
            "once": str(uuid.uuid4()),
        },
    )
    correction = Bulletin.objects.get(corrects=bulletin)
    assert response.status_code == 302 and response.url == detail(correction)
    assert (correction.version, correction.original_id, correction.corrected_by) == (
        2,
        bulletin.pk,
        csir_analyst,
    )
    assert correction.author == csir_coordinator and correction.to_all
    bulletin.refresh_from_db()
    assert bulletin.body == "La station est fermée du 3 au 7 mars."  # history kept

    assert told("bulletin_corrected") == {"police", "mayor-anderlecht"}
    notice = Notification.objects.get(kind="bulletin_corrected", recipient=police_member)
    assert notice.url == detail(correction)
    assert notice.params["title"]["ref"] == "regional.bulletin"
    assert message(notice) == "Bulletin corrected: Fermeture de la station Clemenceau"
    # Who never opened it finds their announcement leading to the current version.
    announcement = Notification.objects.get(recipient=association_member)
    assert announcement.url == detail(correction) and announcement.read_at is None

    # The correction is unread for the readers; the old version is no longer counted.
    assert selectors.unread_count(police_member) == 1
    assert selectors.unread_count(association_member) == 1
    client.force_login(police_member)
    assert bulletin_badge(client.get(reverse("home:index")).text) == 1
    listing = client.get(reverse("bulletins:list")).text
    assert detail(correction) in listing and f'href="{detail(bulletin)}"' not in listing
    page = client.get(detail(correction)).text
    assert "Deux jours de plus." in page and "History" in page and detail(bulletin) in page
    assert Notification.objects.get(kind="bulletin_corrected", recipient=police_member).read_at
    old = client.get(detail(bulletin)).text
    assert "corrected since" in old and "du 3 au 7 mars" in old and detail(correction) in old

    entry = AuditEntry.objects.get(action="bulletin.correct")
    assert entry.actor == csir_analyst and entry.target_id == str(bulletin.pk)
    assert entry.changes["body"] == [
        "La station est fermée du 3 au 7 mars.",
        "La station est fermée du 3 au 9 mars.",
    ]
    assert entry.changes["version"] == [1, 2] and entry.changes["correction"] == correction.pk


def test_only_the_current_version_is_corrected_and_every_earlier_reader_is_told(
    client, bulletin, csir_coordinator, police_member, mayor_anderlecht
):
    read(client, police_member, bulletin)
    second = services.bulletin_correct(bulletin=bulletin, by=csir_coordinator, title="T", body="2")
    with pytest.raises(ValidationError):
        services.bulletin_correct(bulletin=bulletin, by=csir_coordinator, title="T", body="x")
    read(client, mayor_anderlecht, second)
    third = services.bulletin_correct(bulletin=second, by=csir_coordinator, title="T", body="3")
    assert third.version == 3 and third.original_id == bulletin.pk
    # The police read version 1 only: still told, for it still has the old text.
    assert set(
        Notification.objects.filter(kind="bulletin_corrected", url=detail(third)).values_list(
            "recipient__username", flat=True
        )
    ) == {"police", "mayor-anderlecht"}
    assert [v.pk for v in selectors.versions(second)] == [bulletin.pk, second.pk, third.pk]


def test_a_correction_sent_twice_publishes_one_version(client, bulletin, csir_coordinator):
    client.force_login(csir_coordinator)
    token = str(uuid.uuid4())
    url = reverse("bulletins:correct", args=[bulletin.pk])
    data = {"title": "T", "body": "Corrigé", "once": token}
    first, second = client.post(url, data), client.post(url, data)
    correction = Bulletin.objects.get(corrects=bulletin)
    assert first.url == second.url == detail(correction)
    assert Bulletin.objects.count() == 2
    assert AuditEntry.objects.filter(action="bulletin.correct").count() == 1


# --- Withdrawal ------------------------------------------------------------------------------


def test_a_withdrawal_keeps_the_bulletin_tells_its_readers_and_settles_the_rest(
    client, bulletin, csir_coordinator, police_member, association_member
):
    read(client, police_member, bulletin)
    client.force_login(csir_coordinator)
    response = client.post(
        reverse("bulletins:withdraw", args=[bulletin.pk]), {"reason": "Information erronée."}
    )
    assert response.status_code == 302 and response.url == detail(bulletin)
    bulletin.refresh_from_db()
    assert bulletin.withdrawn_by == csir_coordinator and bulletin.withdrawal_reason == (
        "Information erronée."
    )
    assert Bulletin.objects.filter(pk=bulletin.pk).exists()  # never deleted

    assert told("bulletin_withdrawn") == {"police"}
    notice = Notification.objects.get(kind="bulletin_withdrawn")
    assert message(notice) == "Bulletin withdrawn: Fermeture de la station Clemenceau"
    # The announcement that was never opened: no longer unread, never e-mailed in a digest.
    announcement = Notification.objects.get(recipient=association_member)
    assert announcement.read_at is not None and announcement.emailed_at is not None
    assert selectors.unread_count(association_member) == 0

    # The reader sees it in the list, struck and labelled; who never had it does not.
    client.force_login(police_member)
    listing = client.get(reverse("bulletins:list")).text
    assert "<del>" in listing and "withdrawn" in listing and detail(bulletin) in listing
    page = client.get(detail(bulletin)).text
    assert "Withdrawn" in page and "Information erronée." in page
    assert Notification.objects.get(kind="bulletin_withdrawn").read_at is not None
    client.force_login(association_member)
    assert detail(bulletin) not in client.get(reverse("bulletins:list")).text
    assert "Information erronée." in client.get(detail(bulletin)).text

    entry = AuditEntry.objects.get(action="bulletin.withdraw")
    assert entry.actor == csir_coordinator
    assert entry.changes["withdrawal_reason"] == ["", "Information erronée."]
    assert entry.changes["withdrawn_at"][0] is None


def test_a_withdrawn_bulletin_is_neither_withdrawn_again_nor_corrected(
    client, bulletin, csir_coordinator, police_member
):
    read(client, police_member, bulletin)
    services.bulletin_withdraw(bulletin=bulletin, by=csir_coordinator, reason="Erreur.")
    client.force_login(csir_coordinator)
    again = client.post(reverse("bulletins:withdraw", args=[bulletin.pk]), {"reason": "Bis."})
    assert again.status_code == 200 and "This bulletin was withdrawn." in again.text
    with pytest.raises(ValidationError):
        services.bulletin_correct(bulletin=bulletin, by=csir_coordinator, title="T", body="B")
    assert Notification.objects.filter(kind="bulletin_withdrawn").count() == 1
    assert AuditEntry.objects.filter(action="bulletin.withdraw").count() == 1
    page = client.get(detail(bulletin)).text
    assert reverse("bulletins:correct", args=[bulletin.pk]) not in page


def test_a_withdrawal_needs_a_reason(client, bulletin, csir_coordinator):
    client.force_login(csir_coordinator)
    response = client.post(reverse("bulletins:withdraw", args=[bulletin.pk]), {"reason": "  "})
    assert response.status_code == 200
    bulletin.refresh_from_db()
    assert bulletin.withdrawn_at is None


def test_the_author_of_a_good_practice_may_withdraw_it(client, midi, molenbeek, police_member):
    practice = services.good_practice_share(
        by=police_member, taskforce=midi, title="Maraudes", body="Avec les éducateurs."
    )
    client.force_login(police_member)
    assert client.get(reverse("bulletins:withdraw", args=[practice.pk])).status_code == 200
    client.post(reverse("bulletins:withdraw", args=[practice.pk]), {"reason": "Doublon."})
    practice.refresh_from_db()
    assert practice.withdrawn_at is not None


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["correct", "withdraw"])
def test_refused_roles(
    client, name, bulletin, police_member, mayor_anderlecht, cores_member, loner
):
    url = reverse(f"bulletins:{name}", args=[bulletin.pk])
    for reader in (police_member, mayor_anderlecht, cores_member):  # they receive it
        client.force_login(reader)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x", "title": "x", "body": "x"}).status_code == 403
    client.force_login(loner)  # outside the audience: it does not exist
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.get(reverse(f"bulletins:{name}", args=[999999])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    bulletin.refresh_from_db()
    assert bulletin.withdrawn_at is None and not Bulletin.objects.filter(corrects=bulletin)
    with pytest.raises(PermissionDenied):
        services.bulletin_withdraw(bulletin=bulletin, by=police_member, reason="x")


def test_wrong_method(client, bulletin, csir_coordinator):
    client.force_login(csir_coordinator)
    assert client.put(reverse("bulletins:withdraw", args=[bulletin.pk])).status_code == 405
    assert client.delete(reverse("bulletins:correct", args=[bulletin.pk])).status_code == 405


def test_the_list_query_count_does_not_grow_with_versions(
    client, midi, molenbeek, csir_coordinator, police_member
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("bulletins:list")).status_code == 200
        return len(queries)

    client.force_login(police_member)
    first = services.bulletin_publish(by=csir_coordinator, title="Un", body="1")
    few = count()
    for n in range(4):
        corrected = services.bulletin_correct(
            bulletin=first, by=csir_coordinator, title=f"Un {n}", body="x"
        )
        services.bulletin_withdraw(bulletin=corrected, by=csir_coordinator, reason="r")
        first = services.bulletin_publish(by=csir_coordinator, title=f"B{n}", body="x")
    assert count() == few


@pytest.mark.parametrize("value", ["\x00", "a\x1b", "x" * 60_000, "9999-12-31", str(2**70)])
def test_hostile_values_never_give_a_server_error(client, bulletin, csir_coordinator, value):
    client.force_login(csir_coordinator)
    fields = ["title", "body", "note", "language", "title_translation", "body_translation"]
    correct = client.post(
        reverse("bulletins:correct", args=[bulletin.pk]),
        {**dict.fromkeys(fields, value), "once": value},
    )
    withdraw = client.post(reverse("bulletins:withdraw", args=[bulletin.pk]), {"reason": value})
    assert correct.status_code in {200, 302} and withdraw.status_code in {200, 302}
    assert (
        client.get(reverse("bulletins:correct", args=[bulletin.pk]), {"once": value}).status_code
        == 200
    )
