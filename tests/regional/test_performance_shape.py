"""The shape of the main pages' work as the data grows (issue 16): fixed query counts, the
communes' boundaries never read where they are not drawn, long lists shown a page at a
time with a "more" link that works without JavaScript, home panels loading what they show,
and the process caches of geometry keyed on the geometry (never on a person).

Timings are not tested here: benchmarks/pages.py measures them.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from coordination.core import geo
from coordination.models import Axis
from coordination.people.services import agency_group
from hotspots.models import Hotspot
from hotspots.selectors.hotspots import forget_drawn_maps
from taskforces.models import Action, Escalation
from taskforces.selectors.actions import MY_ACTIONS_PAGE
from tests.factories import HotspotFactory
from tests.factories_taskforces import Cast

PJ = Action.Confidentiality.POLICE_JUDICIAL
BOUNDARY = '"coordination_commune"."boundary"'


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )


def _queries(client, url: str, **headers) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries], response


def _reads(queries: list[str]) -> list[str]:
    return [sql for sql in queries if sql.lstrip().upper().startswith("SELECT")]


def _hotspots(count: int, start: int) -> None:
    for n in range(count):
        HotspotFactory(code=f"P{start + n:03d}", communes=["21001", "21004"])


def _police_actions(cast: Cast, count: int, *, secret_every: int = 0) -> list[Action]:
    """``count`` actions led by the police (every ``secret_every``-th police-judicial),
    the association a partner of each; the agencies' permissions as the services grant."""
    today = timezone.localdate()
    Action.objects.bulk_create(
        Action(
            plan=cast.plan,
            axis=list(Axis)[n % 3],
            title=f"Action de police {n}",
            lead_agency=cast.police.agency,
            due_on=today + dt.timedelta(days=n % 50),
            horizon="short",
            deliverable="x",
            confidentiality=PJ if secret_every and n % secret_every == 0 else "taskforce",
        )
        for n in range(count)
    )
    actions = list(Action.objects.filter(title__startswith="Action de police").order_by("pk"))
    group = agency_group(cast.police.agency)
    assign_perm(
        "taskforces.change_action", group, Action.objects.filter(pk__in=[a.pk for a in actions])
    )
    partners = Action.partner_agencies.through
    partners.objects.bulk_create(
        partners(action_id=a.pk, agency_id=cast.association.agency.pk) for a in actions
    )
    assign_perm(
        "taskforces.comment_action",
        agency_group(cast.association.agency),
        Action.objects.filter(pk__in=[a.pk for a in actions]),
    )
    return actions


# --- Boundaries ---------------------------------------------------------------------------


def test_hotspot_list_never_reads_the_boundaries_and_keeps_its_queries(client, csir_analyst):
    client.force_login(csir_analyst)
    _hotspots(3, 0)
    client.get(reverse("hotspots:list"))  # warm up: the region map reads them once
    forget_drawn_maps()  # each measured page draws its map (its perimeters: one query)
    small, response = _queries(client, reverse("hotspots:list"))
    assert not [sql for sql in small if BOUNDARY in sql]
    _hotspots(20, 100)
    forget_drawn_maps()
    large, response = _queries(client, reverse("hotspots:list"))
    assert len(response.context["hotspots"]) == 23
    assert not [sql for sql in large if BOUNDARY in sql]
    assert len(small) == len(large)
    # The map is still drawn: the 19 communes, from the process's cache.
    assert response.content.decode().count('class="map-commune"') == 19


def test_overview_map_reads_the_boundaries_once_per_process(client, csir_analyst):
    client.force_login(csir_analyst)
    _hotspots(2, 0)
    client.get("/overview/")
    queries, response = _queries(client, "/overview/")
    assert not [sql for sql in queries if BOUNDARY in sql]
    assert response.content.decode().count('class="map-commune"') == 19


def test_the_perimeters_are_read_only_to_draw_the_map(client, csir_analyst):
    """The lists read a digest of each perimeter (the map's key), not its GeoJSON; the
    GeoJSON is read in one query when the map is drawn, not when it is in the cache."""
    client.force_login(csir_analyst)
    _hotspots(5, 0)
    perimeters = re.compile(r'"hotspots_hotspot"\."perimeter"(,| FROM| AS)')

    def region_map(response) -> str:
        page = response.content.decode()
        return page[page.index("<svg") : page.index("</svg>")]

    for step, url in enumerate((reverse("hotspots:list"), "/overview/")):
        forget_drawn_maps()
        drawn, response = _queries(client, url)
        assert len([sql for sql in drawn if perimeters.search(sql)]) == 1, url
        kept, again = _queries(client, url)
        assert not [sql for sql in kept if perimeters.search(sql)], url
        assert len(kept) == len(drawn) - 1
        assert region_map(again) == region_map(response)
        # A changed perimeter is a new key: the map is drawn again.
        hotspot = Hotspot.objects.order_by("pk").first()
        hotspot.perimeter = _square(4.40 + step / 100)
        hotspot.save(update_fields=["perimeter"])
        changed, response = _queries(client, url)
        assert len([sql for sql in changed if perimeters.search(sql)]) == 1, url
        assert region_map(response) != region_map(again)


# --- The geometry caches ----------------------------------------------------------------


def _square(x: float) -> dict:
    ring = [[x, 50.80], [x + 0.01, 50.80], [x + 0.01, 50.81], [x, 50.81], [x, 50.80]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_commune_layer_cache_is_keyed_on_the_geometry_and_labels():
    first = geo.render_map_svg(
        communes=[geo.MapArea(geometry=_square(4.30), label="Anderlecht")], areas=[]
    )
    moved = geo.render_map_svg(
        communes=[geo.MapArea(geometry=_square(4.35), label="Anderlecht")], areas=[]
    )
    renamed = geo.render_map_svg(
        communes=[geo.MapArea(geometry=_square(4.30), label="Anderlecht (NL)")], areas=[]
    )
    assert first == geo.render_map_svg(
        communes=[geo.MapArea(geometry=_square(4.30), label="Anderlecht")], areas=[]
    )
    assert moved != first  # another geometry is another entry, never the cached one
    assert "Anderlecht (NL)" in renamed and "Anderlecht (NL)" not in first


def test_a_cached_layer_never_carries_one_persons_areas_to_another():
    communes = [geo.MapArea(geometry=_square(4.30), label="Anderlecht")]
    secret = geo.MapArea(geometry=_square(4.301), label="Secret perimeter", href="/h/1/")
    with_secret = geo.render_map_svg(communes=communes, areas=[secret])
    without = geo.render_map_svg(communes=communes, areas=[])
    assert "Secret perimeter" in with_secret
    assert "Secret perimeter" not in without


# --- My actions, a page at a time ---------------------------------------------------------


def test_my_actions_shows_fifty_with_a_more_link_that_works_without_javascript(client, cast):
    _police_actions(cast, 120)
    client.force_login(cast.police)
    response = client.get(reverse("taskforces:my_actions"))
    total = response.context["actions_total"]
    assert total >= 120
    assert len(response.context["actions"]) == MY_ACTIONS_PAGE
    html = response.content.decode()
    assert 'href="?pages=2#my-actions-more"' in html
    assert f"{total} actions" in html  # the caption counts them all
    # Without JavaScript: a plain link, the page again with the next rows too.
    second = client.get(reverse("taskforces:my_actions"), {"pages": "2"})
    assert len(second.context["actions"]) == 2 * MY_ACTIONS_PAGE
    last = client.get(reverse("taskforces:my_actions"), {"pages": "3"})
    assert len(last.context["actions"]) == total
    assert "pages=4" not in last.content.decode()
    # With htmx: the table alone, swapped in place.
    partial = client.get(
        reverse("taskforces:my_actions"), {"pages": "2"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode()
    assert 'id="my-actions-table"' in partial.content.decode()


@pytest.mark.parametrize("pages", ["abc", "0", "-1", "²", "9999", "1" * 50])
def test_my_actions_pages_parameter_never_fails(client, cast, pages):
    client.force_login(cast.police)
    response = client.get(reverse("taskforces:my_actions"), {"pages": pages})
    assert response.status_code == 200


def test_my_actions_filter_is_kept_by_the_more_link(client, cast):
    _police_actions(cast, 60)
    client.force_login(cast.police)
    html = client.get(reverse("taskforces:my_actions"), {"status": "planned"}).content.decode()
    assert "status=planned&amp;pages=2" in html


def test_my_actions_total_never_counts_police_judicial_rows_for_an_outsider(client, cast):
    _police_actions(cast, 70, secret_every=5)  # 14 police-judicial
    # The insider first: were anything cached, the outsider would see it next.
    client.force_login(cast.police)
    insider = client.get(reverse("taskforces:my_actions"), {"pages": "5"})
    secret_titles = {a.title for a in insider.context["actions"] if a.confidentiality == PJ}
    assert secret_titles
    client.force_login(cast.association)
    outsider = client.get(reverse("taskforces:my_actions"), {"pages": "5"})
    shown = outsider.context["actions"]
    assert all(a.confidentiality != PJ for a in shown)
    assert outsider.context["actions_total"] == len(shown)
    html = outsider.content.decode()
    assert not [title for title in secret_titles if f"{title}<" in html]


def test_my_actions_queries_do_not_grow(client, cast):
    client.force_login(cast.police)
    _police_actions(cast, 10)
    client.get(reverse("taskforces:my_actions"))
    small, _response = _queries(client, reverse("taskforces:my_actions"))
    Action.objects.filter(title__startswith="Action de police").delete()
    _police_actions(cast, 200)
    large, response = _queries(client, reverse("taskforces:my_actions"))
    assert len(response.context["actions"]) == MY_ACTIONS_PAGE
    # The reads (the view log writes its entry once per person and period, not each time).
    assert len(_reads(small)) == len(_reads(large))


# --- The CSIR's home panel ----------------------------------------------------------------


def _escalate(actions: list[Action], by) -> None:
    Escalation.objects.bulk_create(
        Escalation(action=a, reason="Pas de local.", raised_by=by) for a in actions
    )


def test_csir_home_escalations_panel(client, cast, csir_analyst):
    actions = _police_actions(cast, 12)
    client.force_login(csir_analyst)
    _escalate(actions[:2], csir_analyst)
    client.get(reverse("home:index"))
    small, response = _queries(client, reverse("home:index"))
    _escalate(actions[2:], csir_analyst)
    large, response = _queries(client, reverse("home:index"))
    assert len(small) == len(large)
    panel = next(p for p in response.context["panels"] if "escalations" in p.context)
    assert len(panel.context["escalations"]) == 5
    assert panel.context["escalations_total"] == 12
    html = response.content.decode()
    assert '<span class="badge">12</span>' in html
