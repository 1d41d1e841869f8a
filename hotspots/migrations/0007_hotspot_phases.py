"""The hotspot list over time: the changes of the strategy's list (with their source),
the exit criteria of a hotspot in the hold phase and their reviews (issue 15, item 3)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hotspots", "0006_displacement_areas"),
        ("coordination", "0006_bilingual_cores"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExitCriterion",
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
                ("position", models.PositiveSmallIntegerField(default=1, verbose_name="position")),
                ("text", models.CharField(max_length=500, verbose_name="exit criterion")),
                (
                    "text_translation",
                    models.CharField(
                        blank=True, max_length=500, verbose_name="exit criterion (translation)"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="created at"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "hotspot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="exit_criteria",
                        to="hotspots.hotspot",
                        verbose_name="hotspot",
                    ),
                ),
            ],
            options={
                "verbose_name": "exit criterion",
                "verbose_name_plural": "exit criteria",
                "ordering": ["hotspot", "position", "id"],
            },
        ),
        migrations.CreateModel(
            name="ExitCriterionReview",
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
                ("met", models.BooleanField(verbose_name="met")),
                ("reviewed_on", models.DateField(verbose_name="reviewed on")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "note_translation",
                    models.TextField(blank=True, verbose_name="note (translation)"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded at"
                    ),
                ),
                (
                    "criterion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="hotspots.exitcriterion",
                        verbose_name="criterion",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="coordination.coresmeeting",
                        verbose_name="CoReS meeting",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "review of an exit criterion",
                "verbose_name_plural": "reviews of exit criteria",
                "ordering": ["criterion", "-reviewed_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="HotspotListChange",
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
                (
                    "change",
                    models.CharField(
                        choices=[
                            ("add", "Added to the list"),
                            ("hold", "Moved to the hold phase"),
                            ("close", "Taken off the list"),
                            ("reopen", "Back to the intensive phase"),
                        ],
                        max_length=10,
                        verbose_name="change",
                    ),
                ),
                ("decided_on", models.DateField(verbose_name="decided on")),
                ("in_force_on", models.DateField(verbose_name="in force from")),
                (
                    "source_kind",
                    models.CharField(
                        choices=[
                            ("cores_decision", "CoReS decision"),
                            ("order_amendment", "Regional police order or its amendment"),
                            ("mayors_approval", "Approval by the mayors concerned"),
                        ],
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "note_translation",
                    models.TextField(blank=True, verbose_name="note (translation)"),
                ),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded at"
                    ),
                ),
                (
                    "cores_decision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="coordination.coresdecision",
                        verbose_name="CoReS decision",
                    ),
                ),
                (
                    "hotspot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="list_changes",
                        to="hotspots.hotspot",
                        verbose_name="hotspot",
                    ),
                ),
                (
                    "police_order",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hotspot_list_changes",
                        to="hotspots.policeorder",
                        verbose_name="police order",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "change of the hotspot list",
                "verbose_name_plural": "changes of the hotspot list",
                "ordering": ["in_force_on", "id"],
                "indexes": [models.Index(fields=["in_force_on"], name="list_change_in_force_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("source_kind", "cores_decision"), ("cores_decision__isnull", False)
                            ),
                            models.Q(
                                ("source_kind", "order_amendment"), ("police_order__isnull", False)
                            ),
                            ("source_kind", "mayors_approval"),
                            _connector="OR",
                        ),
                        name="list_change_has_source",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("in_force_on__gte", models.F("decided_on"))),
                        name="list_change_in_force_after_decision",
                    ),
                    models.UniqueConstraint(
                        fields=("hotspot", "in_force_on"), name="list_change_once_a_day"
                    ),
                ],
            },
        ),
    ]
