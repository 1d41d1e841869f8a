"""Nothing stored as a sentence (issue 12): notifications and audit entries store codes and
parameters, and read in the reader's language when listed, mailed or shown."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from coordination.audit import sentences
from coordination.audit import services as audit
from coordination.models import Notification
from coordination.notifications.services import message, notify, ref
from coordination.regional.bulletins.models import Bulletin
from reporting.models import Report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def english_author(safe_brussels):
    return UserFactory(username="author.en", preferred_language="en", agency=safe_brussels)


@pytest.fixture
def dutch_reader():
    return UserFactory(
        username="lezer.nl",
        preferred_language="nl",
        email="lezer@example.be",
        email_mode="immediate",
    )


def bulletin_by(author) -> Bulletin:
    return Bulletin.objects.create(
        kind=Bulletin.Kind.BULLETIN, title="Nouvelle ronde", body="Texte", author=author
    )


def test_a_notification_caused_in_english_reads_in_dutch(
    client, english_author, dutch_reader, django_capture_on_commit_callbacks, mailoutbox
):
    bulletin = bulletin_by(english_author)
    report = Report.objects.create(
        kind=Report.Kind.REGIONAL,
        scope="region",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 12, 31),
        language="nl",
        audience=Report.Audience.CORES,
        version=2,
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[dutch_reader],
            kind="report_ready",
            params={"report": ref(report)},
            url="/",
        )
    # Nothing in the writer's language is stored: the report is named by its id.
    stored = Notification.objects.get(kind="report_ready").params["report"]
    assert stored["ref"] == "reporting.report" and stored["id"] == report.pk

    # The mail, in the reader's preferred language.
    (sent,) = mailoutbox
    assert "Het verslag “Gewestelijk verslag aan de GeVeRa 01/07/2026–31/12/2026" in sent.body
    assert "Regional report" not in sent.body + sent.subject

    # A translation added after the event shows too: names are read when shown.
    with translation.override("en"):
        notify(
            recipients=[dutch_reader],
            kind="bulletin_published",
            params={"title": ref(bulletin, "title")},
        )
    Bulletin.objects.filter(pk=bulletin.pk).update(title_translation="Nieuwe ronde")

    client.force_login(dutch_reader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"  # as set at sign-in
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Nieuw bulletin: Nieuwe ronde" in page
    assert "Gewestelijk verslag aan de GeVeRa" in page
    assert "Regional report" not in page and "Nouvelle ronde" not in page


def test_the_same_notification_reads_in_each_language(english_author, dutch_reader):
    bulletin = bulletin_by(english_author)
    Bulletin.objects.filter(pk=bulletin.pk).update(title_translation="Nieuwe ronde")
    (notification,) = notify(
        recipients=[dutch_reader],
        kind="bulletin_published",
        params={"title": ref(bulletin, "title")},
    )
    with translation.override("fr"):
        assert message(notification) == "Nouveau bulletin : Nouvelle ronde"
    with translation.override("nl"):
        assert message(notification) == "Nieuw bulletin: Nieuwe ronde"
    bulletin.delete()  # gone: the name as it was when told, not an error
    with translation.override("nl"):
        assert message(notification) == "Nieuw bulletin: Nouvelle ronde"


def test_the_notification_page_names_things_in_fixed_queries(
    client, english_author, dutch_reader, django_assert_max_num_queries
):
    for n in range(15):
        bulletin = bulletin_by(english_author)
        notify(
            recipients=[dutch_reader],
            kind="bulletin_published",
            params={"title": ref(bulletin, "title"), "n": n},
        )
    client.force_login(dutch_reader)
    client.get(reverse("notifications:list"))  # warm the session and content types
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as fifteen:
        assert client.get(reverse("notifications:list")).status_code == 200
    bulletin = bulletin_by(english_author)
    for n in range(5):
        notify(
            recipients=[dutch_reader],
            kind="bulletin_published",
            params={"title": ref(bulletin, "title"), "n": n},
        )
    with django_assert_max_num_queries(len(fifteen)):
        client.get(reverse("notifications:list"))


# --- The audit trail as sentences ------------------------------------------------------


def recorded_action_codes() -> set[str]:
    """Every action code the code base records (``action="…"`` and the constants)."""
    codes: set[str] = set()
    pattern = re.compile(r'action\s*=\s*"([a-z_]+(?:\.[a-z_]+)?)"')
    constant = re.compile(r'^[A-Z_]+ = "([a-z_]+(?:\.[a-z_]+)?)"$', re.M)
    for package in ("coordination", "hotspots", "taskforces", "reporting"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            text = path.read_text()
            if "audit" not in text and "record_view" not in text:
                continue
            codes.update(pattern.findall(text))
            if "audit.record" in text or "action=" in text:
                codes.update(
                    code
                    for code in constant.findall(text)
                    if "." in code or code.startswith(("login_", "two_factor_"))
                )
    codes.discard("store_true")  # argparse, not an audit action
    # hotspots.services.hotspots records f"hotspot.{new_status}" for the two outcomes.
    codes.update({"hotspot.approved", "hotspot.rejected", "view"})
    return codes


def test_every_recorded_action_has_a_sentence():
    codes = recorded_action_codes()
    assert len(codes) > 60  # the walk found the code base's actions
    missing = sorted(code for code in codes if code not in sentences.SENTENCES)
    assert missing == []
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            for code in codes:
                text = sentences.sentence(code, "Claire Dubois", "X")
                assert "%(" not in text
                if "." in code or "_" in code:  # ("view" is also an English word)
                    assert code not in text


def test_the_audit_page_shows_no_raw_code(client, csir_coordinator, english_author):
    csir_coordinator.first_name, csir_coordinator.last_name = "Claire", "Dubois"
    csir_coordinator.preferred_language = "nl"
    csir_coordinator.save()
    report = Report.objects.create(
        kind=Report.Kind.REGIONAL,
        scope="region",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 12, 31),
        language="fr",
        audience=Report.Audience.CORES,
        version=2,
    )
    with translation.override("en"):
        audit.record(
            actor=csir_coordinator,
            action="report.publish",
            target=report,
            changes={"presented_at": [None, "2026-12-01T00:30:00+01:00"], "kind": "regional"},
        )
        audit.record(
            actor=english_author,
            action="bulletin.publish",
            target=bulletin_by(english_author),
            changes={"to_all": True, "taskforces": []},
        )
    client.force_login(csir_coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"  # as set at sign-in
    page = client.get(reverse("audit:list")).content.decode()
    body = page[page.index('<div id="audit-table"') :]  # (the filters' date inputs are ISO)
    for raw in ("report.publish", "bulletin.publish", "presented_at", "to_all", "regional<"):
        assert raw not in body
    # (machine-readable <time datetime="…"> attributes aside)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r'datetime="[^"]*"', "", body))
    assert "Claire Dubois" in body and "Gewestelijk verslag aan de GeVeRa" in body
    assert "Regional report" not in body
    # The datetime in the reader's locale and in Brussels time: "1 december 2026, 00:30".
    assert "1 december 2026, 00:30" in body
