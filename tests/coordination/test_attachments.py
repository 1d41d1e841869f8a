"""Attachments on actions, updates, meetings, bulletins and escalations (issue 14, item 3).

Files are checked by content, stored through the default storage, versioned, withdrawn
(never deleted), audited and served through the object's permission check with their
SHA-256 verified.
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coordination.attachments import filetypes
from coordination.attachments import services as attachment_services
from coordination.attachments.models import Attachment, AttachmentVersion
from coordination.audit.models import AuditEntry
from coordination.regional.bulletins.models import Bulletin
from taskforces.models import Action, Membership
from tests.factories import UserFactory
from tests.factories_taskforces import (
    ActionUpdateFactory,
    Cast,
    EscalationFactory,
    MeetingFactory,
    member,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx(*, macros: bool = False, content_types: bool = True) -> bytes:
    """A minimal Word document (OOXML zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 16)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Each test stores its files in a folder of its own (the default storage)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst):
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )


def upload_url(obj) -> str:
    return reverse("attachments:upload", args=[obj._meta.label_lower, obj.pk])


def download_url(attachment: Attachment, number: int = 1) -> str:
    return reverse("attachments:download", args=[attachment.pk, number])


def attach(obj, by, name="rapport.pdf", content=PDF) -> Attachment:
    return attachment_services.attachment_add(obj=obj, upload=upload(name, content), by=by)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Type by content ------------------------------------------------------------------


@pytest.mark.parametrize("content", [ELF, MZ], ids=["elf", "mz"])
def test_a_renamed_executable_is_refused_with_a_clear_message(client, cast, content):
    client.force_login(cast.police)
    response = client.post(
        upload_url(cast.security), {"file": upload("rapport.pdf", content), "next": "/"}
    )
    assert response.status_code == 400
    assert "is a program, not a PDF" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not AttachmentVersion.objects.exists()
    with pytest.raises(ValidationError) as refused:
        attach(cast.security, cast.police, content=content)
    assert refused.value.code == "program"


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("Rapport de patrouille.pdf", PDF, "application/pdf"),
        ("photo.PNG", png(), "image/png"),
        ("compte-rendu.docx", docx(), "wordprocessingml.document"),
        ("notes.odt", odt(), "opendocument.text"),
        ("liste.csv", b"rue;heure\nBara;22h\n", "text/csv"),
    ],
    ids=["pdf", "png", "docx", "odt", "csv"],
)
def test_real_documents_are_accepted_and_stored_with_their_checksum(
    client, cast, private_media, name, content, media_type
):
    client.force_login(cast.police)
    response = client.post(
        upload_url(cast.security),
        {"file": upload(name, content), "next": f"/taskforces/actions/{cast.security.pk}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/taskforces/actions/{cast.security.pk}/"
    attachment = Attachment.objects.get()
    version = attachment.versions.get()
    assert attachment.target == cast.security
    assert attachment.name == name.replace(".PNG", ".png")  # the extension, lower case
    assert media_type in version.media_type
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.size == len(content)
    # Stored under a random name in the private media folder, not under the upload's name.
    stored = private_media / version.file.name
    assert stored.read_bytes() == content
    assert name not in version.file.name
    assert version.file.name.startswith("attachments/")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("rapport.pdf", png(), "content"),  # a PNG named .pdf
        ("photo.png", PDF, "content"),
        ("compte-rendu.docx", docx(content_types=False), "content"),
        ("compte-rendu.docx", PDF, "content"),
        ("macro.docx", docx(macros=True), "macros"),
        ("notes.odt", docx(), "content"),
        ("script.sh", b"echo hi", "extension"),
        ("archive.zip", docx(), "extension"),
        ("texte.txt", b"abc\x00def", "content"),
        ("liste.csv", "mois;valeur\né;1\n".encode("latin-1"), "encoding"),
        ("vide.pdf", b"", "empty"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_file_that_is_not_what_its_name_says_is_refused(name, content, code):
    with pytest.raises(ValidationError) as refused:
        filetypes.check(io.BytesIO(content), name, len(content))
    assert refused.value.code == code


def test_the_size_limit_is_checked_before_the_content_is_read(client, cast, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000

    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read before the size check")

    with pytest.raises(ValidationError) as refused:
        filetypes.check(Unreadable(), "rapport.pdf", 1001)
    assert refused.value.code == "size"

    client.force_login(cast.police)
    big = PDF + b"%" * 2000
    response = client.post(upload_url(cast.security), {"file": upload("gros.pdf", big)})
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert not Attachment.objects.exists()
    # Within the limit, accepted.
    response = client.post(upload_url(cast.security), {"file": upload("petit.pdf", PDF)})
    assert response.status_code == 302


def test_the_file_name_is_sanitised():
    assert filetypes.safe_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert filetypes.safe_name("C:\\Users\\x\\Rapport final.PDF") == "Rapport final.pdf"
    assert filetypes.safe_name('a"b<c>\r\n.pdf') == "a_b_c_.pdf"
    assert filetypes.safe_name(".pdf") == "document.pdf"
    assert len(filetypes.safe_name("x" * 400 + ".pdf")) <= 150


# --- Who sees, who attaches -----------------------------------------------------------


def test_an_outsider_gets_404_on_the_file_and_the_document(client, cast, mayor_other):
    attachment = attach(cast.security, cast.police)
    client.force_login(mayor_other)
    assert client.get(download_url(attachment)).status_code == 404
    assert client.get(reverse("attachments:detail", args=[attachment.pk])).status_code == 404
    assert client.post(upload_url(cast.security), {"file": upload("x.pdf", PDF)}).status_code == 404
    assert client.get(download_url(attachment, 2)).status_code == 404


def test_unknown_objects_and_kinds_are_404(client, cast, csir_coordinator):
    client.force_login(csir_coordinator)
    pdf = {"file": upload("x.pdf", PDF)}
    assert client.post("/attachments/on/taskforces.action/999999/", pdf).status_code == 404
    # A kind nobody registered carries no attachments, whoever asks.
    hotspot = cast.taskforce.hotspot
    assert client.post(upload_url(hotspot), pdf).status_code == 404
    assert client.post("/attachments/on/nothing.here/1/", pdf).status_code == 404
    assert client.get("/attachments/999999/v1/download/").status_code == 404


def test_a_police_judicial_actions_attachment_is_invisible_outside_the_circle(client, cast):
    attachment = attach(cast.secret, cast.police, name="filature.pdf")
    entry = AuditEntry.objects.get(action="attachment.add")
    assert entry.police_judicial
    # The association is a member of the task force, but not of the circle.
    client.force_login(cast.association)
    assert client.get(download_url(attachment)).status_code == 404
    assert client.get(reverse("attachments:detail", args=[attachment.pk])).status_code == 404
    assert client.post(upload_url(cast.secret), {"file": upload("x.pdf", PDF)}).status_code == 404
    # The prosecutor's office is in the circle (and a partner): it reads it.
    client.force_login(cast.prosecutor)
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert body(response) == PDF
    page = client.get(reverse("taskforces:action", args=[cast.secret.pk])).content.decode()
    assert "filature.pdf" in page


def test_a_police_judicial_note_carries_its_attachments_to_the_circle_only(client, cast):
    note = ActionUpdateFactory(
        action=cast.security,
        author=cast.police,
        confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
    )
    attachment = attach(note, cast.police)
    client.force_login(cast.association)
    assert client.get(download_url(attachment)).status_code == 404
    client.force_login(cast.prosecutor)
    assert client.get(download_url(attachment)).status_code == 200


def test_who_may_see_but_not_attach_gets_403(client, cast):
    # Dune is a member of the task force, neither lead nor partner of the action.
    attachment = attach(cast.security, cast.police)
    client.force_login(cast.partner)
    assert client.get(download_url(attachment)).status_code == 200
    response = client.post(upload_url(cast.security), {"file": upload("x.pdf", PDF)})
    assert response.status_code == 403
    assert (
        client.post(
            reverse("attachments:upload_version", args=[attachment.pk]),
            {"file": upload("x.pdf", PDF)},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("attachments:withdraw", args=[attachment.pk]), {"reason": "non"}
        ).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        attach(cast.security, cast.partner)
    assert Attachment.objects.count() == 1
    # The panel shows the document but no upload form.
    page = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    assert "rapport.pdf" in page
    assert 'name="file"' not in page


def test_a_partner_attaches_on_the_action(client, cast):
    client.force_login(cast.association)  # partner of the security action
    response = client.post(upload_url(cast.security), {"file": upload("x.pdf", PDF)})
    assert response.status_code == 302


def test_meetings_follow_the_meeting_rules(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.coordinator)
    client.force_login(cast.police)  # a member: reads, does not run the meetings
    assert client.post(upload_url(meeting), {"file": upload("x.pdf", PDF)}).status_code == 403
    client.force_login(cast.coordinator)
    assert client.post(upload_url(meeting), {"file": upload("ordre.pdf", PDF)}).status_code == 302
    attachment = Attachment.objects.get()
    client.force_login(cast.police)
    assert client.get(download_url(attachment)).status_code == 200
    page = client.get(reverse("taskforces:meeting", args=[meeting.pk])).content.decode()
    assert "ordre.pdf" in page


def test_escalations_their_action_and_the_csir(client, cast, csir_coordinator):
    escalation = EscalationFactory(action=cast.security, raised_by=cast.police)
    client.force_login(cast.police)
    assert client.post(upload_url(escalation), {"file": upload("x.pdf", PDF)}).status_code == 302
    client.force_login(csir_coordinator)
    assert client.post(upload_url(escalation), {"file": upload("y.pdf", PDF)}).status_code == 302
    page = client.get(reverse("taskforces:escalations")).content.decode()
    assert "x.pdf" in page and "y.pdf" in page
    client.force_login(cast.partner)  # sees the action, may not escalate it
    assert client.post(upload_url(escalation), {"file": upload("z.pdf", PDF)}).status_code == 403


def test_bulletins_readers_read_the_author_and_csir_attach(
    client, cast, csir_analyst, csir_coordinator, mayor_other
):
    bulletin = Bulletin.objects.create(
        kind=Bulletin.Kind.BULLETIN,
        title="Nouvelle ronde",
        body="Texte",
        author=csir_analyst,
        to_all=False,
    )
    bulletin.taskforces.set([cast.taskforce])
    client.force_login(csir_analyst)
    response = client.post(upload_url(bulletin), {"file": upload("carte.png", png())})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    client.force_login(cast.police)  # a reader
    assert client.get(download_url(attachment)).status_code == 200
    assert client.post(upload_url(bulletin), {"file": upload("x.pdf", PDF)}).status_code == 403
    page = client.get(reverse("bulletins:detail", args=[bulletin.pk])).content.decode()
    assert "carte.png" in page
    client.force_login(mayor_other)  # not in its audience
    assert client.get(download_url(attachment)).status_code == 404


# --- Versions, withdrawal, download ---------------------------------------------------


def test_a_new_upload_is_version_2_and_the_first_stays_downloadable(client, cast):
    attachment = attach(cast.security, cast.police)
    second = PDF.replace(b"Catalog", b"Catalog /Lang (fr)")
    client.force_login(cast.police)
    response = client.post(
        reverse("attachments:upload_version", args=[attachment.pk]),
        {"file": upload("rapport v2.pdf", second)},
    )
    assert response.status_code == 302
    assert list(attachment.versions.values_list("number", flat=True)) == [2, 1]
    assert body(client.get(download_url(attachment, 1))) == PDF
    assert body(client.get(download_url(attachment, 2))) == second
    attachment.refresh_from_db()
    assert attachment.name == "rapport v2.pdf"
    entry = AuditEntry.objects.get(action="attachment.version")
    assert entry.changes["version"] == [1, 2]
    assert entry.changes["sha256"] == [
        hashlib.sha256(PDF).hexdigest(),
        hashlib.sha256(second).hexdigest(),
    ]
    page = client.get(reverse("attachments:detail", args=[attachment.pk])).content.decode()
    assert "rapport v2.pdf" in page and "rapport.pdf" in page


def test_withdrawal_is_audited_and_deletes_nothing(client, cast, private_media):
    attachment = attach(cast.security, cast.police)
    client.force_login(cast.association)
    response = client.post(reverse("attachments:withdraw", args=[attachment.pk]), {"reason": ""})
    assert response.status_code == 200  # the reason is required
    response = client.post(
        reverse("attachments:withdraw", args=[attachment.pk]),
        {"reason": "Mauvais document, remplacé par le rapport signé."},
    )
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.is_withdrawn
    assert attachment.withdrawn_by == cast.association
    assert attachment.withdrawal_reason == "Mauvais document, remplacé par le rapport signé."
    entry = AuditEntry.objects.get(action="attachment.withdraw")
    assert entry.actor == cast.association
    assert entry.changes["reason"] == "Mauvais document, remplacé par le rapport signé."
    # Nothing deleted: the row, the version and the file are there, still downloadable.
    version = attachment.versions.get()
    assert (private_media / version.file.name).exists()
    assert client.get(download_url(attachment)).status_code == 200
    page = client.get(reverse("taskforces:action", args=[cast.security.pk])).content.decode()
    assert "1 withdrawn document" in page
    # A withdrawn document takes no new version.
    response = client.post(
        reverse("attachments:upload_version", args=[attachment.pk]),
        {"file": upload("x.pdf", PDF)},
    )
    assert response.status_code == 400
    assert attachment.versions.count() == 1


def test_the_download_is_verified_and_served_as_a_private_attachment(client, cast):
    attachment = attach(cast.security, cast.police, name="Rapport été.pdf")
    client.force_login(cast.police)
    response = client.get(download_url(attachment))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Rapport" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_tampered_file_is_refused_and_logged(client, cast, private_media, caplog):
    attachment = attach(cast.security, cast.police)
    version = attachment.versions.get()
    (private_media / version.file.name).write_bytes(PDF.replace(b"Catalog", b"Catalo9"))
    client.force_login(cast.police)
    with caplog.at_level(logging.ERROR, logger="coordination.attachments.views"):
        response = client.get(download_url(attachment))
    assert response.status_code == 409
    assert not hasattr(response, "streaming_content")
    assert "is not the one that was uploaded" in response.content.decode()
    assert any("does not match its SHA-256" in record.getMessage() for record in caplog.records)


def test_the_panel_uploads_with_htmx_and_answers_the_fragment(client, cast):
    client.force_login(cast.police)
    response = client.post(
        upload_url(cast.security),
        {"file": upload("photo.png", png(), "image/png"), "next": "/x/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="attachments-taskforces-action-{cast.security.pk}"' in html
    assert "photo.png" in html
    assert "HX-Request" in response["Vary"]
    # A refused file comes back in the fragment with its message.
    response = client.post(
        upload_url(cast.security),
        {"file": upload("rapport.pdf", ELF)},
        headers={"HX-Request": "true"},
    )
    assert "is a program" in response.content.decode()


def test_the_action_page_lists_documents_in_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast.police)
    url = reverse("taskforces:action", args=[cast.security.pk])
    attach(cast.security, cast.police)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for number in range(5):
        attach(cast.security, cast.police, name=f"doc{number}.pdf")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "doc4.pdf" in page


def test_inactive_people_cannot_attach(cast):
    gone = UserFactory(username="gone", agency=cast.police.agency)
    member(cast.taskforce, gone, Membership.Role.MEMBER)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        attach(cast.security, gone)


def test_downloading_a_police_judicial_document_is_recorded_in_the_view_log(client, cast):
    secret = attach(cast.secret, cast.police, name="filature.pdf")
    note = ActionUpdateFactory(
        action=cast.security,
        author=cast.police,
        confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
    )
    on_note = attach(note, cast.police)
    open_one = attach(cast.security, cast.police, name="affiche.pdf")
    client.force_login(cast.prosecutor)
    for attachment in (secret, on_note, open_one):
        assert client.get(download_url(attachment)).status_code == 200
    views = AuditEntry.objects.filter(action="view", actor=cast.prosecutor)
    seen = {(entry.changes["via"], entry.target_type.model, entry.target_id) for entry in views}
    assert ("attachment", "action", str(cast.secret.pk)) in seen
    assert ("attachment", "actionupdate", str(note.pk)) in seen
    # A document of an ordinary action is not a police-judicial view.
    assert ("attachment", "action", str(cast.security.pk)) not in seen
