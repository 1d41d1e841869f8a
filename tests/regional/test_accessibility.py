"""WCAG 2.1 AA on every main page, as each role that uses it, on the demo data.

axe-core (WCAG 2.0/2.1 A and AA rules) must find nothing serious or critical, and no page
may scroll sideways at 320 px (reflow, WCAG 1.4.10) nor at 640 px (1280 px at 200 % zoom).
One browser context per role, signed in once (a session cookie); the demo is seeded once,
for the one test that visits every page, which lists every finding before it fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from coordination.models import User
from coordination.notifications.services import mail_suppressed
from coordination.regional.demo import seed as demo
from hotspots.models import Hotspot, PoliceOrder
from reporting.models import Report
from taskforces.models import Action, Meeting, TaskForce

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
# 320 px: WCAG 1.4.10 reflow. 640 px: a 1280 px screen zoomed to 200 %.
WIDTHS = (320, 640)
SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > window.innerWidth"
# What sticks out, to make a reflow failure readable.
WIDEST = """() => {
  const limit = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && box.width > 0) {
      const parent = el.parentElement;
      if (parent && parent.getBoundingClientRect().right > limit + 1) continue;
      // Inside a box of its own that scrolls or clips: not what widens the page.
      let boxed = false;
      for (let up = parent; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible') { boxed = true; break; }
      }
      if (boxed) continue;
      const classes = typeof el.className === 'string' ? el.className.trim() : '';
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (classes ? '.' + classes.split(/\\s+/).join('.') : '')
        + ' right=' + Math.round(box.right));
    }
  }
  return out.slice(0, 5);
}"""


@dataclass(frozen=True)
class Visit:
    name: str
    url: str


def _pages(people: dict[str, User]) -> dict[str, list[Visit]]:
    """Each role (by demo login) and the main pages it works with."""
    midi = Hotspot.objects.get(code="HS10")
    taskforce = TaskForce.objects.get(hotspot=midi)
    meeting = Meeting.objects.filter(taskforce=taskforce).order_by("-starts_at").first()
    action = (
        Action.objects.filter(
            plan__taskforce=taskforce, confidentiality=Action.Confidentiality.TASKFORCE
        )
        .order_by("pk")
        .first()
    )
    order = PoliceOrder.objects.order_by("pk").first()
    report = Report.objects.order_by("pk").first()
    assert meeting and action and order and report, "the demo lacks a page to test"

    def page(name: str, url_name: str, *args) -> Visit:
        return Visit(name, reverse(url_name, args=args))

    home = page("home", "home:index")
    overview = page("overview", "overview:page")
    hotspots = page("hotspot list", "hotspots:list")
    hotspot = page("hotspot", "hotspots:detail", midi.pk)
    indicators = page("indicator grid", "hotspots:indicator_grid", midi.pk)
    orders = page("police orders", "hotspots:orders")
    police_order = page("police order", "hotspots:order_detail", order.pk)
    strategy = page("strategy", "strategy:page")
    cores = page("CoReS", "cores:list")
    reports = page("reports", "reporting:list")
    one_report = page("report", "reporting:detail", report.pk)
    bulletins = page("bulletins", "bulletins:list")
    taskforces = page("task forces", "taskforces:list")
    one_taskforce = page("task force", "taskforces:detail", taskforce.pk)
    plan = page("action plan", "taskforces:plan", taskforce.pk)
    meetings = page("meetings", "taskforces:meetings", taskforce.pk)
    one_meeting = page("meeting", "taskforces:meeting", meeting.pk)
    one_action = page("action", "taskforces:action", action.pk)
    my_actions = page("my actions", "taskforces:my_actions")
    displacements = page("displacement map", "taskforces:displacements")
    notifications = page("notifications", "notifications:list")
    audit = page("audit trail", "audit:list")
    jobs = page("jobs", "jobs:page")
    security = page("two-factor security", "two_factor:index")
    calendar = page("calendar subscription", "calendar:subscription")

    return {
        "csir.coordinator": [
            home, overview, hotspots, hotspot, indicators, orders, police_order, strategy,
            cores, reports, one_report, bulletins, taskforces, one_taskforce, plan, meetings,
            one_meeting, one_action, my_actions, displacements, notifications, audit, jobs,
            security, calendar,
        ],
        "csir.analyst": [home, overview, indicators, reports],
        "cores.member": [home, cores, reports, one_report, bulletins],
        # The mayor of Anderlecht: HS10 (Gare du Midi) lies partly in the commune.
        _mayor_of(midi, people): [home, hotspots, hotspot, taskforces, one_taskforce],
        f"tfl.{midi.code.lower()}.coordinator": [
            home, one_taskforce, plan, meetings, one_meeting, one_action, my_actions,
            displacements, notifications, calendar,
        ],
        "police.midi": [home, orders, police_order, one_taskforce, my_actions, security],
        "transit": [home, one_taskforce, one_action, my_actions, bulletins],
    }  # fmt: skip


def _mayor_of(hotspot: Hotspot, people: dict[str, User]) -> str:
    communes = set(hotspot.communes.values_list("pk", flat=True))
    return next(
        name
        for name, user in people.items()
        if user.role == User.Role.MAYOR and user.commune_id in communes
    )


@pytest.fixture
def demo_people(transactional_db, reference_data) -> dict[str, User]:
    quiet = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=quiet), mail_suppressed():
        people = demo.seed()
    people.update({u.username: u for u in User.objects.all()})
    return people


def _session_cookie(user: User, domain: str) -> dict:
    """A signed-in session for ``user``, as the test client's force_login makes it."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "domain": domain, "path": "/"}


@pytest.fixture
def contexts(browser, live_server) -> Iterator[Callable]:
    opened = []

    def open_as(user: User | None):
        context = browser.new_context(base_url=live_server.url, locale="fr-BE")
        context.set_default_timeout(15_000)
        if user is not None:
            context.add_cookies([_session_cookie(user, "localhost")])
        opened.append(context)
        return context.new_page()

    yield open_as
    for context in opened:
        context.close()


def _axe(page, axe: Axe, where: str) -> dict[tuple[str, str], str]:
    """The serious and critical findings, keyed by rule and first element."""
    found = {}
    for violation in axe.run(page, options=AXE_OPTIONS).response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        found[(violation["id"], targets[0])] = (
            f"axe {violation['impact']} {violation['id']} {where} ({len(targets)}×): "
            f"{violation['help']} → {'; '.join(targets[:4])}"
        )
    return found


def _check(page, visit: Visit, who: str, axe: Axe) -> list[str]:
    where = f"{who} · {visit.name} ({visit.url})"
    page.set_viewport_size({"width": 1280, "height": 900})
    response = page.goto(visit.url)
    status = response.status if response else 0
    if status != 200 or (who != "anonymous" and "/accounts/login/" in page.url):
        return [f"{where}: HTTP {status} at {page.url}"]
    findings: dict[tuple[str, str], str] = {}
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        if page.evaluate(SCROLLS_SIDEWAYS):
            scroll = page.evaluate("document.documentElement.scrollWidth")
            culprits = ", ".join(page.evaluate(WIDEST))
            problems.append(
                f"{where}: scrolls sideways at {width} px (content {scroll} px wide): {culprits}"
            )
        if width == min(WIDTHS):
            # axe at the narrowest width: there the tables scroll in their boxes, which must
            # be reachable by keyboard (scrollable-region-focusable); the other rules read
            # the same markup at any width.
            findings = _axe(page, axe, f"at {width} px")
    return [f"{where}: {finding}" for finding in findings.values()] + problems


def test_every_main_page_passes_axe_and_reflows_for_each_role(demo_people, contexts):
    axe = Axe()
    problems: list[str] = []
    pages = _pages(demo_people)
    visited = {visit.name for visits in pages.values() for visit in visits}

    anonymous = contexts(None)
    problems += _check(anonymous, Visit("login", reverse("login")), "anonymous", axe)
    for username, visits in pages.items():
        page = contexts(demo_people[username])
        for visit in visits:
            problems += _check(page, visit, username, axe)

    assert len(visited) == 25, sorted(visited)
    assert not problems, "\n" + "\n".join(problems)


def test_the_check_catches_a_page_that_scrolls_sideways_and_a_nameless_link(csir_analyst, contexts):
    """The checks above can fail: a page made too wide and given a nameless link fails."""
    page = contexts(csir_analyst)
    page.goto(reverse("home:index"))
    # Built through the DOM: the CSP refuses inline style attributes.
    page.evaluate(
        """() => {
          const main = document.querySelector('main');
          const link = document.createElement('a');
          link.href = '/';
          link.appendChild(document.createElement('span'));
          const wide = document.createElement('div');
          wide.className = 'too-wide';
          wide.style.width = '900px';
          wide.textContent = 'x';
          main.append(link, wide);
        }"""
    )
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate(SCROLLS_SIDEWAYS)
    assert any("too-wide" in culprit for culprit in page.evaluate(WIDEST))
    findings = _axe(page, Axe(), "at 320 px")
    assert any(rule == "link-name" for rule, _ in findings), findings


def test_a_failed_submit_focuses_an_error_summary_that_leads_to_each_field(
    page, login, csir_analyst
):
    login(csir_analyst)
    page.goto(reverse("hotspots:propose"))
    page.locator("#id_code").fill("not a code")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.get_by_role("link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert {"#id_code", "#id_name_fr", "#id_communes_0"} <= set(hrefs), hrefs

    # Each field with an error says so to assistive technology and points to its message.
    code = page.locator("#id_code")
    assert code.get_attribute("aria-invalid") == "true"
    assert "id_code_error" in code.get_attribute("aria-describedby").split()
    # A check-box group is a fieldset named by its legend, described by its error.
    group = page.locator("fieldset:has(#id_communes_0)")
    assert group.locator("legend").inner_text().strip().startswith("Communes")
    assert "id_communes_error" in group.get_attribute("aria-describedby").split()

    # The summary's link moves the focus to the field itself.
    summary.locator("a[href='#id_communes_0']").click()
    assert page.evaluate("document.activeElement.id") == "id_communes_0"
    ids = {v["id"] for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]}
    assert not ids & {"aria-valid-attr-value", "label", "nested-interactive"}, ids


def test_focus_ring_has_3_to_1_contrast_on_white_and_in_the_header(page, login, csir_analyst):
    login(csir_analyst)
    page.goto(reverse("home:index"))
    ring = "getComputedStyle(document.activeElement).outlineColor"
    page.keyboard.press("Tab")  # the skip link, on white
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate(ring) == "rgb(26, 26, 26)"  # #1a1a1a: 17:1 on white
    page.keyboard.press("Tab")  # the portal's name, in the blue header
    assert page.evaluate("!!document.activeElement.closest('.site-header')")
    assert page.evaluate(ring) == "rgb(255, 255, 255)"  # 8.4:1 on the header's #0b4f8a
