"""Browser journey of "My actions" a page at a time (issue 16), in Chromium: the police
member of a task force with 120 actions sees the first 50, asks for more by keyboard
(htmx swaps the table in place and the address follows), then reloads the address:
the same rows come back without JavaScript's help."""

import datetime as dt

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from coordination.models import Axis
from coordination.people.services import agency_group
from taskforces.models import Action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_police_member_reads_their_actions_fifty_at_a_time(page, login, cast):
    today = timezone.localdate()
    Action.objects.bulk_create(
        Action(
            plan=cast.plan,
            axis=list(Axis)[n % 3],
            title=f"Contrôle {n:03d}",
            lead_agency=cast.police.agency,
            due_on=today + dt.timedelta(days=n),
            horizon="short",
            deliverable="x",
        )
        for n in range(120)
    )
    assign_perm(
        "taskforces.change_action",
        agency_group(cast.police.agency),
        Action.objects.filter(title__startswith="Contrôle"),
    )
    total = Action.objects.filter(lead_agency=cast.police.agency).count()

    login(cast.police)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/taskforces/mine/")
    rows = page.locator("#my-actions-table tbody tr")
    expect(rows).to_have_count(50)
    more = page.locator("#my-actions-more a")
    expect(page.locator("#my-actions-more")).to_contain_text(str(total))

    # By keyboard: the link takes the focus and Enter follows it; htmx swaps the table.
    more.focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(100)
    page.wait_for_url("**/taskforces/mine/?pages=2")

    # The address shows the same rows on its own (as without JavaScript).
    page.reload()
    expect(rows).to_have_count(100)
    page.locator("#my-actions-more a").click()
    expect(rows).to_have_count(total)
    expect(page.locator("#my-actions-more")).to_have_count(0)
