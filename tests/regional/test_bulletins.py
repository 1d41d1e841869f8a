"""Information exchange: CSIR bulletins, good practices, audiences, read receipts, badges."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.models import AuditEntry, Notification
from coordination.regional.bulletins import permissions as bulletin_permissions
from coordination.regional.bulletins import selectors, services
from coordination.regional.bulletins.models import Bulletin, BulletinRead
from coordination.regional.cores import demo as cores_demo
from taskforces.models import Membership
from taskforces.services import taskforces as taskforce_services
from taskforces.services.taskforces import membership_add, taskforce_open
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def midi(hotspot_midi, csir_analyst, csir_coordinator, mayor_anderlecht, police_member):
    """The Gare du Midi task force: the mayor chairs it, the local police is a member."""
    taskforce = taskforce_open(hotspot=hotspot_midi, by=csir_analyst)
    # Police staff join the circle: brought in by the CSIR coordinator.
    membership_add(taskforce=taskforce, user=police_member, role="member", by=csir_coordinator)
    return taskforce


@pytest.fixture
def molenbeek(hotspot_molenbeek, csir_analyst, association_member):
    taskforce = taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    membership_add(taskforce=taskforce, user=association_member, role="member", by=csir_analyst)
    return taskforce


@pytest.fixture
def loner(db):
    """Agency staff in no task force."""
    return UserFactory(username="loner", agency=AgencyFactory(name_fr="Fedasil"))


@pytest.fixture
def targeted(midi, molenbeek, csir_coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.bulletin_publish(
            by=csir_coordinator,
            title="Nouvel arrêté du bourgmestre",
            body="Interdiction de lieu autour de la gare.",
            to_all=False,
            taskforces=[midi],
        )


@pytest.fixture
def to_all(midi, molenbeek, csir_coordinator):
    return services.bulletin_publish(
        by=csir_coordinator,
        title="Prolongation de l'arrêté régional",
        body="L'arrêté régional est prolongé de six mois.",
    )


def bulletin_badge(html: str) -> int:
    """The unread count beside "Bulletins" in the navigation (0 when there is none)."""
    link = re.search(r'<a href="/bulletins/"[^>]*>(.*?)</a>', html, re.S)
    assert link, "the navigation has a Bulletins section"
    badge = re.search(r'<span class="badge"[^>]*>(\d+)</span>', link.group(1))
    return int(badge.group(1)) if badge else 0


# --- Audiences ------------------------------------------------------------------------------


def test_a_bulletin_to_all_reaches_every_task_force_and_the_regional_roles(
    to_all, csir_analyst, csir_coordinator, police_member, association_member, cores_member,
    mayor_anderlecht, mayor_other, loner,
):  # fmt: skip
    reached = set(selectors.audience(to_all))
    assert {csir_analyst, police_member, association_member, cores_member} <= reached
    assert {mayor_anderlecht, mayor_other} <= reached
    assert loner not in reached and csir_coordinator not in reached  # nor the author
    for person in reached:
        assert bulletin_permissions.get_bulletin_for(person, to_all.pk) == to_all
    with pytest.raises(Http404):
        bulletin_permissions.get_bulletin_for(loner, to_all.pk)


def test_a_targeted_bulletin_reaches_its_task_forces_and_the_csir(
    targeted, csir_analyst, police_member, mayor_anderlecht, association_member, cores_member,
    mayor_other, mailoutbox,
):  # fmt: skip
    reached = set(selectors.audience(targeted))
    assert reached == {csir_analyst, police_member, mayor_anderlecht}
    for outsider in (association_member, cores_member, mayor_other):
        with pytest.raises(Http404):
            bulletin_permissions.get_bulletin_for(outsider, targeted.pk)
        assert selectors.unread_count(outsider) == 0
    notified = Notification.objects.filter(kind="bulletin_published")
    assert {n.recipient for n in notified} == reached
    assert notified.first().url == reverse("bulletins:detail", args=[targeted.pk])
    assert {m.to[0] for m in mailoutbox} <= {person.email for person in reached}
    entry = AuditEntry.objects.get(action="bulletin.publish")
    assert entry.changes["to_all"] is False and entry.changes["taskforces"] == ["HS10"]


def test_a_good_practice_goes_to_every_task_force(
    midi, molenbeek, police_member, association_member, cores_member
):
    practice = services.good_practice_share(
        by=police_member, taskforce=midi, title="Maraudes conjointes", body="Chaque jeudi."
    )
    assert practice.kind == Bulletin.Kind.GOOD_PRACTICE and practice.to_all
    assert practice.source_taskforce == midi
    assert association_member in selectors.audience(practice)
    notification = Notification.objects.get(recipient=association_member)
    assert notification.kind == "good_practice_shared"
    assert notification.params["taskforce"].startswith("HS10")
    # Only from one's own task force, and not as an observer.
    with pytest.raises(PermissionDenied):
        services.good_practice_share(by=association_member, taskforce=midi, title="x", body="y")
    membership = Membership.objects.get(user=association_member)
    # Through the service, as the chair would: the role's permissions follow it.
    taskforce_services.membership_change_role(
        membership=membership, role=Membership.Role.OBSERVER, by=None
    )
    with pytest.raises(PermissionDenied):
        services.good_practice_share(
            by=association_member, taskforce=molenbeek, title="x", body="y"
        )
    with pytest.raises(PermissionDenied):
        services.bulletin_publish(by=cores_member, title="x", body="y")


# --- Reading ------------------------------------------------------------------------------


def test_unread_count_is_one_query(django_assert_num_queries, to_all, targeted, police_member):
    """One query, once the request has read the person's task-force permissions (read
    once per request, ``granted``, and shared by every panel of the page)."""
    with django_assert_num_queries(2):
        assert selectors.unread_count(police_member) == 2
    with django_assert_num_queries(1):
        assert selectors.unread_count(police_member) == 2


def test_opening_a_bulletin_marks_it_read_and_clears_the_badge(client, targeted, police_member):
    client.force_login(police_member)
    assert bulletin_badge(client.get(reverse("home:index")).content.decode()) == 1
    response = client.get(reverse("bulletins:detail", args=[targeted.pk]))
    assert response.status_code == 200 and "Nouvel arrêté du bourgmestre" in response.text
    client.get(reverse("bulletins:detail", args=[targeted.pk]))  # a second time: one receipt
    assert BulletinRead.objects.filter(bulletin=targeted, user=police_member).count() == 1
    assert bulletin_badge(client.get(reverse("home:index")).content.decode()) == 0
    notification = Notification.objects.get(recipient=police_member)
    assert notification.read_at is not None


def test_the_author_reads_nothing_and_has_no_badge(client, targeted, csir_coordinator):
    client.force_login(csir_coordinator)
    client.get(reverse("bulletins:detail", args=[targeted.pk]))
    assert not BulletinRead.objects.exists()
    assert selectors.unread_count(csir_coordinator) == 0


def test_who_read_it(client, targeted, police_member, csir_coordinator, csir_analyst):
    services.bulletin_mark_read(bulletin=targeted, user=police_member)
    for reader in (csir_coordinator, csir_analyst):  # the author and the CSIR
        client.force_login(reader)
        detail = client.get(reverse("bulletins:detail", args=[targeted.pk]))
        assert detail.context["read_count"] >= 1 and detail.context["audience_size"] == 3
        page = client.get(reverse("bulletins:readers", args=[targeted.pk]))
        assert page.status_code == 200
        assert page.context["readers"][0].user == police_member
        assert str(police_member) in page.text
    assert BulletinRead.objects.filter(bulletin=targeted).count() == 2  # police + analyst
    listing = client.get(reverse("bulletins:list"))
    assert listing.context["page"][0].read_count == 2


def test_readers_of_the_audience_may_not_see_who_read(
    client, targeted, police_member, association_member
):
    client.force_login(police_member)
    assert client.get(reverse("bulletins:detail", args=[targeted.pk])).status_code == 200
    assert client.get(reverse("bulletins:readers", args=[targeted.pk])).status_code == 403
    client.force_login(association_member)  # not in the audience
    assert client.get(reverse("bulletins:detail", args=[targeted.pk])).status_code == 404
    assert client.get(reverse("bulletins:readers", args=[targeted.pk])).status_code == 404
    assert not BulletinRead.objects.filter(user=association_member).exists()


# --- The pages ------------------------------------------------------------------------------


def test_the_csir_posts_a_targeted_bulletin(client, midi, csir_analyst, police_member):
    client.force_login(csir_analyst)
    assert client.get(reverse("bulletins:new")).status_code == 200
    response = client.post(
        reverse("bulletins:new"),
        {"title": "Réunion commune", "body": "Jeudi.", "to_all": "0", "taskforces": [midi.pk]},
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("bulletins:detail", args=[bulletin.pk])
    assert not bulletin.to_all and list(bulletin.taskforces.all()) == [midi]
    assert bulletin.author == csir_analyst and bulletin.kind == Bulletin.Kind.BULLETIN


def test_a_targeted_bulletin_needs_a_task_force(client, midi, csir_coordinator):
    client.force_login(csir_coordinator)
    response = client.post(reverse("bulletins:new"), {"title": "T", "body": "B", "to_all": "0"})
    assert response.status_code == 200 and response.context["form"].errors["taskforces"]
    assert not Bulletin.objects.exists()


def test_a_member_shares_a_good_practice(client, midi, police_member):
    client.force_login(police_member)
    assert client.get(reverse("bulletins:list")).context["can_share"]
    response = client.post(
        reverse("bulletins:share"),
        {"taskforce": midi.pk, "title": "Maraudes", "body": "Ensemble le soir."},
    )
    assert response.status_code == 302
    assert Bulletin.objects.get().source_taskforce == midi


@pytest.mark.parametrize(
    "who", ["police_member", "association_member", "cores_member", "mayor_anderlecht"]
)
def test_only_the_csir_posts_bulletins(client, request, midi, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("bulletins:new")).status_code == 403
    data = {"title": "x", "body": "y", "to_all": "1"}
    assert client.post(reverse("bulletins:new"), data).status_code == 403
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize("who", ["cores_member", "csir_coordinator", "loner"])
def test_only_task_force_members_share_practices(client, request, midi, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("bulletins:share")).status_code == 403
    data = {"taskforce": midi.pk, "title": "x", "body": "y"}
    assert client.post(reverse("bulletins:share"), data).status_code == 403


def test_a_member_cannot_share_for_another_task_force(client, midi, molenbeek, association_member):
    client.force_login(association_member)
    data = {"taskforce": midi.pk, "title": "x", "body": "y"}
    response = client.post(reverse("bulletins:share"), data)
    assert response.status_code == 200 and response.context["form"].errors["taskforce"]
    assert not Bulletin.objects.exists()


def test_unknown_ids_wrong_methods_and_anonymous(client, to_all, police_member):
    client.force_login(police_member)
    assert client.get(reverse("bulletins:detail", args=[99999])).status_code == 404
    assert client.get(reverse("bulletins:readers", args=[99999])).status_code == 404
    assert client.post(reverse("bulletins:detail", args=[to_all.pk])).status_code == 405
    assert client.post(reverse("bulletins:list")).status_code == 405
    client.logout()
    response = client.get(reverse("bulletins:detail", args=[to_all.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not BulletinRead.objects.exists()


def test_titles_and_bodies_are_escaped(client, midi, csir_coordinator, police_member):
    bulletin = services.bulletin_publish(
        by=csir_coordinator, title="<script>alert(1)</script>", body="<b onclick=x>gras</b>"
    )
    client.force_login(police_member)
    for url in (reverse("bulletins:list"), reverse("bulletins:detail", args=[bulletin.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
        assert "<b onclick" not in page


def test_the_list_filters_and_has_a_fixed_query_count(
    client, midi, csir_coordinator, police_member
):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.force_login(police_member)
    services.bulletin_publish(
        by=csir_coordinator, title="Un", body="1", to_all=False, taskforces=[midi]
    )
    few = count(reverse("bulletins:list"))
    for n in range(6):
        services.bulletin_publish(by=csir_coordinator, title=f"B{n}", body="x")
    services.good_practice_share(by=police_member, taskforce=midi, title="P", body="x")
    assert count(reverse("bulletins:list")) == few
    page = client.get(reverse("bulletins:list"), {"kind": "good_practice"})
    assert [b.title for b in page.context["page"]] == ["P"]
    unread = client.get(reverse("bulletins:list"), {"unread": "on"}).context["page"]
    assert len(unread) == 7 and all(not b.is_read for b in unread)  # their own practice is read
    fragment = client.get(reverse("bulletins:list"), headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="bulletin-table"')


def test_demo_bulletins(midi, molenbeek, csir_coordinator):
    from coordination.regional.demo import seed as coordination_demo

    agencies = coordination_demo.seed_agencies()
    people = coordination_demo.seed_people(agencies)
    cores_demo.seed_bulletins(people=people, taskforces=[midi, molenbeek])
    cores_demo.seed_bulletins(people=people, taskforces=[midi, molenbeek])  # idempotent
    assert Bulletin.objects.count() == 4
    assert Bulletin.objects.filter(kind=Bulletin.Kind.GOOD_PRACTICE, source_taskforce=midi).exists()
    assert Bulletin.objects.filter(to_all=False, taskforces=midi).exists()
    assert BulletinRead.objects.exists()
    assert not Notification.objects.exists()
