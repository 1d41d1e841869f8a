"""Browser journey of a displacement report, in Chromium: reported by the police with a
point clicked on the map, seen by the CSIR on the regional map and by the neighbouring
task force in its list."""

import pytest

from coordination.models import Agency, Notification
from taskforces.models import DisplacementReport
from taskforces.services.taskforces import membership_add, taskforce_open
from tests.factories import AgencyFactory, HotspotFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARVIS_SAINT_ANTOINE = (4.3318, 50.8172)  # in Forest


def _screen_xy(page, selector: str, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) falls on the screen, from the map's own projection attributes."""
    return page.evaluate(
        """([selector, lon, lat]) => {
            const svg = document.querySelector(selector);
            const d = svg.dataset, p = svg.createSVGPoint();
            p.x = +d.margin + (lon - d.minx) * d.kx * d.scale;
            p.y = +d.margin + (d.maxy - lat) * d.scale;
            const screen = p.matrixTransform(svg.getScreenCTM());
            return [screen.x, screen.y];
        }""",
        [selector, lon, lat],
    )


def _log_out(page) -> None:
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_load_state()


def test_police_report_reaches_the_csir_and_the_neighbouring_task_force(
    page, login, police_member, csir_coordinator, csir_analyst, hotspot_midi
):
    porte_de_hal = HotspotFactory(
        code="HS06", name_fr="Porte de Hal", communes=["21013"], proposed_by=csir_analyst
    )
    neighbour = taskforce_open(hotspot=porte_de_hal, by=csir_analyst)
    member = UserFactory(
        username="sg-member",
        agency=AgencyFactory(name_fr="Asbl Saint-Gilles", kind=Agency.Kind.ASSOCIATION),
    )
    membership_add(taskforce=neighbour, user=member, role="member", by=None)

    # The police report it, placing the point with a click on the map.
    login(police_member)
    page.locator("nav.site-nav a[href='/taskforces/displacements/']").click()
    page.locator("main a[href='/taskforces/displacements/new/']").click()
    page.locator("#id_from_hotspot").select_option(str(hotspot_midi.pk))
    page.locator("#id_phenomenon").select_option("dealing")
    page.locator("#id_commune").select_option(label="Forest")
    page.locator("#id_place").fill("Parvis Saint-Antoine <b>près de l'église</b>")
    assert not page.locator("#id_lon").is_visible()  # the map replaces the number fields
    x, y = _screen_xy(page, "figure[data-point-pick] svg", *PARVIS_SAINT_ANTOINE)
    page.mouse.click(x, y)
    assert page.locator("figure[data-point-pick] svg .picked-point").count() == 1
    page.locator("input[name=severity][value=high]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/taskforces/displacements/*/")

    report = DisplacementReport.objects.get()
    # A click on the whole region's map is precise to a pixel: some 50 m.
    assert abs(report.lon - PARVIS_SAINT_ANTOINE[0]) < 0.001
    assert abs(report.lat - PARVIS_SAINT_ANTOINE[1]) < 0.001
    assert report.commune.nis_code == "21007" and report.severity == "high"
    assert list(report.routed_to.all()) == [neighbour]
    assert "<b>" not in page.locator("h1").inner_html()
    # The CSIR is told (the notification centre shows these rows).
    assert Notification.objects.filter(
        recipient=csir_coordinator, kind="displacement_reported"
    ).exists()
    assert Notification.objects.filter(recipient=member, kind="displacement_reported").exists()

    # The CSIR sees the arrow on the regional map.
    _log_out(page)
    login(csir_coordinator)
    page.goto("/taskforces/displacements/")
    arrow = page.locator("figure.map svg .map-arrow")
    assert arrow.count() == 1
    assert "HS10" in arrow.locator("title").text_content()

    # The member of the neighbouring task force finds it in the list.
    _log_out(page)
    login(member)
    page.locator("nav.site-nav a[href='/taskforces/displacements/']").click()
    row = page.locator("tbody tr", has_text="Parvis Saint-Antoine")
    assert row.count() == 1
    row.get_by_role("link").click()
    page.wait_for_url(f"**/taskforces/displacements/{report.pk}/")
    page.locator("#id_text").fill("Patrouille de prévention passée mardi soir.")
    page.locator(f"form[action='/taskforces/displacements/{report.pk}/follow-up/'] button").click()
    page.wait_for_url(f"**/taskforces/displacements/{report.pk}/")
    report.refresh_from_db()
    assert report.status == DisplacementReport.Status.FOLLOWED_UP
    assert page.get_by_text("Patrouille de prévention passée mardi soir.").is_visible()


def test_the_point_is_placed_on_the_street_map(page, login, police_member, hotspot_midi):
    """A click on the street map (Leaflet, offline) fills the report's point."""
    login(police_member)
    page.goto("/taskforces/displacements/new/")
    page.wait_for_selector("figure[data-point-pick] .leaflet-map[data-basemap-ready]")
    # Zoom onto the Parvis Saint-Antoine as a reader would, then click the map's centre.
    page.evaluate(
        "([lon, lat]) => document.querySelector('figure[data-point-pick] .leaflet-map')"
        ".basemap.setView([lat, lon], 17, {animate: false})",
        list(PARVIS_SAINT_ANTOINE),
    )
    street_map = page.locator("figure[data-point-pick] .leaflet-map")
    street_map.scroll_into_view_if_needed()
    box = street_map.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lon = float(page.locator("#id_lon").input_value())
    lat = float(page.locator("#id_lat").input_value())
    # At zoom 17 a pixel is about a metre: the point is where the reader clicked.
    assert abs(lon - PARVIS_SAINT_ANTOINE[0]) < 0.0002
    assert abs(lat - PARVIS_SAINT_ANTOINE[1]) < 0.0002
    # The SVG overview shows the same point (point-pick.js follows the fields).
    assert page.locator("figure[data-point-pick] svg .picked-point").count() == 1
