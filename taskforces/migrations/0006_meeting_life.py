"""Meetings as their users know them (issue 14).

- ``MeetingParticipant`` replaces the ``attendees`` list: who was recorded present
  becomes a participant who *attended*.
- ``MeetingMinutes`` versions: a meeting's existing minutes become version 1, final if
  the meeting is past (it was held and its minutes are what the task force has), a
  draft otherwise. ``Meeting.minutes`` stays, as the mirror of the latest version.
- A point carried into several later meetings (the old behaviour) becomes one chain:
  each copy is carried from the one before; only the last copy may be open, and it is
  closed if any copy had been closed.
- Cancellation fields and the pending action proposal of a decision.
"""

import itertools

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def forward(apps, schema_editor):
    Meeting = apps.get_model("taskforces", "Meeting")
    Participant = apps.get_model("taskforces", "MeetingParticipant")
    Minutes = apps.get_model("taskforces", "MeetingMinutes")
    Point = apps.get_model("taskforces", "MeetingPoint")
    now = timezone.now()
    Attendance = Meeting.attendees.through
    Participant.objects.bulk_create(
        Participant(
            meeting_id=row.meeting_id,
            user_id=row.user_id,
            status="attended",
            responded_at=row.meeting.starts_at,
        )
        for row in Attendance.objects.select_related("meeting").order_by("pk").iterator()
    )
    for meeting in Meeting.objects.exclude(minutes="", minutes_translation="").iterator():
        final = meeting.starts_at < now
        Minutes.objects.create(
            meeting=meeting,
            number=1,
            text=meeting.minutes,
            text_translation=meeting.minutes_translation,
            language=meeting.language,
            status="final" if final else "draft",
            created_by_id=meeting.created_by_id,
            finalised_by_id=meeting.created_by_id if final else None,
            finalised_at=now if final else None,
        )
    sources = (
        Point.objects.filter(carried_from__isnull=False)
        .values_list("carried_from_id", flat=True)
        .distinct()
    )
    for source_id in list(sources):
        copies = list(
            Point.objects.filter(carried_from_id=source_id).order_by("meeting__starts_at", "pk")
        )
        if len(copies) < 2:
            continue
        still_open = all(copy.is_open for copy in copies)
        for before, copy in itertools.pairwise(copies):
            copy.carried_from_id = before.pk
            copy.save(update_fields=["carried_from"])
        for copy in copies[:-1]:
            Point.objects.filter(pk=copy.pk).update(is_open=False)
        Point.objects.filter(pk=copies[-1].pk).update(is_open=still_open)
    # A point that moved on is history, no longer open.
    Point.objects.filter(carried_to__isnull=False).update(is_open=False)


def backward(apps, schema_editor):
    Meeting = apps.get_model("taskforces", "Meeting")
    Participant = apps.get_model("taskforces", "MeetingParticipant")
    Attendance = Meeting.attendees.through
    Attendance.objects.bulk_create(
        Attendance(meeting_id=row.meeting_id, user_id=row.user_id)
        for row in Participant.objects.filter(status="attended").iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0006_bilingual_cores"),
        ("taskforces", "0005_action_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MeetingMinutes",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("fr", "French"), ("nl", "Dutch")],
                        default="fr",
                        help_text="The language the text was written in.",
                        max_length=2,
                        verbose_name="language of the text",
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                ("text", models.TextField(blank=True, verbose_name="minutes")),
                (
                    "text_translation",
                    models.TextField(blank=True, verbose_name="minutes (translation)"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("final", "Final")],
                        default="draft",
                        max_length=8,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "finalised_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finalised at"),
                ),
            ],
            options={
                "verbose_name": "minutes version",
                "verbose_name_plural": "minutes versions",
                "ordering": ["meeting", "number"],
            },
        ),
        migrations.CreateModel(
            name="MeetingParticipant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("invited", "Invited"),
                            ("attended", "Attended"),
                            ("excused", "Excused"),
                        ],
                        default="invited",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("invited_at", models.DateTimeField(auto_now_add=True, verbose_name="invited at")),
                (
                    "responded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="status set at"),
                ),
            ],
            options={
                "verbose_name": "meeting participant",
                "verbose_name_plural": "meeting participants",
                "ordering": ["meeting", "user__last_name", "user__first_name", "pk"],
            },
        ),
        migrations.AddField(
            model_name="meeting",
            name="cancel_reason",
            field=models.TextField(blank=True, verbose_name="reason for the cancellation"),
        ),
        migrations.AddField(
            model_name="meeting",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="cancelled at"),
        ),
        migrations.AddField(
            model_name="meeting",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="cancelled by",
            ),
        ),
        migrations.AddField(
            model_name="meetingdecision",
            name="action_pending",
            field=models.BooleanField(default=False, verbose_name="action waiting for the plan"),
        ),
        migrations.AddField(
            model_name="meetingdecision",
            name="proposed_axis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("security", "Security"),
                    ("prevention", "Prevention"),
                    ("neighbourhood", "Neighbourhood life"),
                ],
                max_length=20,
                verbose_name="axis of the new action",
            ),
        ),
        migrations.AddField(
            model_name="meetingdecision",
            name="proposed_due_on",
            field=models.DateField(
                blank=True, null=True, verbose_name="due date of the new action"
            ),
        ),
        migrations.AddField(
            model_name="meetingdecision",
            name="proposed_lead_agency",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="coordination.agency",
                verbose_name="lead agency of the new action",
            ),
        ),
        migrations.AddField(
            model_name="meetingdecision",
            name="proposed_title",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="title of the new action"
            ),
        ),
        migrations.AddIndex(
            model_name="meetingdecision",
            index=models.Index(
                condition=models.Q(("action_pending", True)),
                fields=["action_pending"],
                name="decision_action_pending",
            ),
        ),
        migrations.AddField(
            model_name="meetingminutes",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="meetingminutes",
            name="finalised_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="finalised by",
            ),
        ),
        migrations.AddField(
            model_name="meetingminutes",
            name="meeting",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="minutes_versions",
                to="taskforces.meeting",
            ),
        ),
        migrations.AddField(
            model_name="meetingparticipant",
            name="meeting",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="participants",
                to="taskforces.meeting",
            ),
        ),
        migrations.AddField(
            model_name="meetingparticipant",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="meetingparticipant",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="meeting_participations",
                to=settings.AUTH_USER_MODEL,
                verbose_name="person",
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingminutes",
            constraint=models.UniqueConstraint(
                fields=("meeting", "number"), name="meeting_minutes_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingminutes",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "draft")),
                fields=("meeting",),
                name="meeting_minutes_one_draft",
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingparticipant",
            constraint=models.UniqueConstraint(
                fields=("meeting", "user"), name="meeting_participant_once"
            ),
        ),
        # The data first, then the old attendance table goes and the carry rule holds.
        migrations.RunPython(forward, backward),
        migrations.RemoveField(
            model_name="meeting",
            name="attendees",
        ),
        migrations.AddConstraint(
            model_name="meetingpoint",
            constraint=models.UniqueConstraint(
                condition=models.Q(("carried_from__isnull", False)),
                fields=("carried_from",),
                name="meeting_point_carried_once",
            ),
        ),
    ]
