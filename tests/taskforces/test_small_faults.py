"""Small faults of the task-force pages (issue 14, item 7), each with its regression test:
the escalate button after an inline status change, the chair who cannot be removed by the
coordinator, the confirmation before removing a member, and the favicon."""

from __future__ import annotations

import re

import pytest
from django.templatetags.static import static
from django.urls import reverse

from coordination.models import AuditEntry
from taskforces.models import Action, Membership
from taskforces.services import taskforces as taskforce_services

pytestmark = pytest.mark.django_db

Status = Action.Status
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- The escalate button after an inline status change -----------------------------------


def _set_status(client, action: Action, status: str, *, htmx: bool = True, comment: str = ""):
    action.refresh_from_db()
    data = {
        "status": status,
        "progress": "20",
        "comment": comment,
        "revision": str(action.revision),
    }
    extra = HTMX if htmx else {}
    return client.post(reverse("taskforces:action_status", args=[action.pk]), data, **extra)


def _escalate_element(html: str) -> str:
    found = re.search(r'<(a|span) id="action-escalate"[^>]*>', html)
    assert found, "the escalate slot is always in the answer"
    return found.group(0)


def test_the_htmx_answer_to_blocked_carries_the_escalate_button(client, cast):
    client.force_login(cast.police)
    escalate = reverse("taskforces:action_escalate", args=[cast.security.pk])
    page = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    assert escalate not in page
    assert "hidden" in _escalate_element(page)

    response = _set_status(client, cast.security, Status.BLOCKED, comment="Pas d'effectifs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the fragment, not the page
    assert 'id="action-live"' in html
    element = _escalate_element(html)
    assert 'hx-swap-oob="true"' in element and f'href="{escalate}"' in element
    assert "Escalate to the CSIR" in html
    cast.security.refresh_from_db()
    assert cast.security.status == Status.BLOCKED


def test_unblocked_inline_the_button_goes_away(client, cast):
    client.force_login(cast.police)
    _set_status(client, cast.security, Status.BLOCKED, comment="Pas d'effectifs")
    response = _set_status(client, cast.security, Status.IN_PROGRESS)
    element = _escalate_element(response.content.decode())
    assert 'hx-swap-oob="true"' in element and "hidden" in element
    assert reverse("taskforces:action_escalate", args=[cast.security.pk]) not in (
        response.content.decode()
    )


def test_the_full_page_shows_the_same_button_without_oob(client, cast):
    client.force_login(cast.police)
    _set_status(client, cast.security, Status.BLOCKED, htmx=False, comment="Bloqué")
    page = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    element = _escalate_element(page)
    assert "hx-swap-oob" not in element
    assert reverse("taskforces:action_escalate", args=[cast.security.pk]) in element


def test_who_may_not_escalate_gets_no_button_even_when_blocked(client, cast):
    # The association is a partner of the security action: it reads the page, may not
    # escalate; the lead agency blocks it.
    client.force_login(cast.police)
    _set_status(client, cast.security, Status.BLOCKED, htmx=False, comment="Bloqué")
    client.force_login(cast.association)
    page = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    assert "hidden" in _escalate_element(page)


# --- The chair and the removal of members -------------------------------------------------


def _chair(cast) -> Membership:
    return cast.taskforce.memberships.get(user=cast.chair)


def test_the_coordinator_cannot_remove_the_chair(client, cast):
    chair = _chair(cast)
    assert chair.role == Membership.Role.CHAIR
    with pytest.raises(taskforce_services.ChairProtected):
        taskforce_services.membership_remove(membership=chair, by=cast.coordinator)

    client.force_login(cast.coordinator)
    url = reverse("taskforces:membership_remove", args=[chair.pk])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        page = response.content.decode()
        assert "only the CSIR changes the chair" in page
        assert 'type="submit"' not in page.split('id="h-remove"')[1]
    assert cast.taskforce.memberships.filter(user=cast.chair, role="chair").exists()
    assert not AuditEntry.objects.filter(action="taskforce.member_remove").exists()


def test_the_coordinator_cannot_demote_the_chair_or_name_another(client, cast):
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("taskforces:membership_role", args=[_chair(cast).pk]), {"role": "member"}
    )
    assert response.status_code == 302
    assert _chair(cast).role == Membership.Role.CHAIR
    police = cast.taskforce.memberships.get(user=cast.police)
    client.post(reverse("taskforces:membership_role", args=[police.pk]), {"role": "chair"})
    police.refresh_from_db()
    assert police.role == Membership.Role.MEMBER
    with pytest.raises(taskforce_services.ChairProtected):
        taskforce_services.membership_change_role(
            membership=_chair(cast), role="coordinator", by=cast.chair
        )
    # The members page says why, instead of offering the buttons.
    page = client.get(reverse("taskforces:members", args=[cast.taskforce.pk])).content.decode()
    assert "only the CSIR changes the chair" in page
    assert reverse("taskforces:membership_remove", args=[_chair(cast).pk]) not in page


def test_the_csir_changes_the_chair(client, cast, csir_analyst):
    client.force_login(csir_analyst)
    url = reverse("taskforces:membership_remove", args=[_chair(cast).pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not cast.taskforce.memberships.filter(user=cast.chair).exists()
    police = cast.taskforce.memberships.get(user=cast.police)
    client.post(reverse("taskforces:membership_role", args=[police.pk]), {"role": "chair"})
    police.refresh_from_db()
    assert police.role == Membership.Role.CHAIR


def test_removing_a_member_asks_first(client, cast):
    client.force_login(cast.coordinator)
    membership = cast.taskforce.memberships.get(user=cast.association)
    url = reverse("taskforces:membership_remove", args=[membership.pk])
    # The members page links to the confirmation (a page, no JavaScript needed)...
    members = client.get(reverse("taskforces:members", args=[cast.taskforce.pk]))
    assert f'href="{url}"' in members.content.decode()
    # ...which asks, and removes nothing yet.
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "from the task force?" in page and f'action="{url}"' in page
    assert cast.taskforce.memberships.filter(user=cast.association).exists()
    # Confirmed: removed, and audited.
    assert client.post(url).status_code == 302
    assert not cast.taskforce.memberships.filter(user=cast.association).exists()
    assert AuditEntry.objects.get(action="taskforce.member_remove").actor == cast.coordinator


@pytest.mark.parametrize("who", ["association", "partner"])
def test_plain_members_get_no_confirmation_page(client, cast, who):
    client.force_login(getattr(cast, who))
    membership = cast.taskforce.memberships.get(user=cast.police)
    assert (
        client.get(reverse("taskforces:membership_remove", args=[membership.pk])).status_code == 403
    )


def test_outsiders_do_not_learn_the_membership_exists(client, cast, mayor_other):
    client.force_login(mayor_other)
    url = reverse("taskforces:membership_remove", args=[_chair(cast).pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("taskforces:membership_remove", args=[999999])).status_code == 404


# --- The favicon ----------------------------------------------------------------------------


def test_favicon_ico_answers_anonymous_with_a_cacheable_redirect(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    cache = response["Cache-Control"]
    assert "public" in cache and "max-age=86400" in cache
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_names_the_svg_icon(client, cast):
    client.force_login(cast.coordinator)
    page = client.get(reverse("taskforces:detail", args=[cast.taskforce.pk])).content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in page


def test_the_icon_is_a_real_svg(settings):
    icon = settings.BASE_DIR / "static" / "favicon.svg"
    text = icon.read_text()
    assert text.lstrip().startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in text
    assert len(text) < 2000
