"""Police orders as a legal register: amendments, publication steps and their reminders."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0006_bilingual_cores"),
        ("hotspots", "0007_hotspot_phases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderAmendment",
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
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("original", "Original text"),
                            ("amendment", "Amendment"),
                            ("extension", "Extension"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                ("signed_on", models.DateField(verbose_name="signed on")),
                ("valid_from", models.DateField(verbose_name="in force from")),
                ("valid_until", models.DateField(verbose_name="in force until")),
                ("summary", models.TextField(blank=True, verbose_name="what changed")),
                (
                    "summary_translation",
                    models.TextField(blank=True, verbose_name="what changed (translation)"),
                ),
                ("measures", models.JSONField(default=list, verbose_name="measures")),
                (
                    "measure_details",
                    models.TextField(blank=True, verbose_name="details of the measures"),
                ),
                (
                    "measure_details_translation",
                    models.TextField(
                        blank=True, verbose_name="details of the measures (translation)"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded at"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "hotspots",
                    models.ManyToManyField(
                        blank=True,
                        related_name="order_amendments",
                        to="hotspots.hotspot",
                        verbose_name="hotspots covered",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="amendments",
                        to="hotspots.policeorder",
                        verbose_name="police order",
                    ),
                ),
            ],
            options={
                "verbose_name": "police order amendment",
                "verbose_name_plural": "police order amendments",
                "ordering": ["order", "number"],
            },
        ),
        migrations.CreateModel(
            name="PublicationStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("moniteur", "Published in the Moniteur belge"),
                            ("mayors", "Sent to the mayors"),
                            ("posted", "Posted by the commune"),
                            ("crisis_centre", "Sent to the National Crisis Centre"),
                        ],
                        max_length=14,
                        verbose_name="step",
                    ),
                ),
                ("due_on", models.DateField(verbose_name="due on")),
                ("done_on", models.DateField(blank=True, null=True, verbose_name="done on")),
                (
                    "done_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="recorded at"),
                ),
                (
                    "amendment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="steps",
                        to="hotspots.orderamendment",
                        verbose_name="amendment",
                    ),
                ),
                (
                    "commune",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="coordination.commune",
                        verbose_name="commune",
                    ),
                ),
                (
                    "done_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="done by",
                    ),
                ),
                (
                    "owner_agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="coordination.agency",
                        verbose_name="owner (agency)",
                    ),
                ),
                (
                    "owner_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner (person)",
                    ),
                ),
            ],
            options={
                "verbose_name": "publication step",
                "verbose_name_plural": "publication steps",
                "ordering": ["amendment", "due_on", "id"],
            },
        ),
        migrations.CreateModel(
            name="PublicationStepReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "week",
                    models.DateField(help_text="The Monday of the week the reminder belongs to."),
                ),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "step",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="hotspots.publicationstep",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="orderamendment",
            index=models.Index(
                fields=["valid_from", "valid_until"], name="hotspots_or_valid_f_a37f7b_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderamendment",
            constraint=models.UniqueConstraint(
                fields=("order", "number"), name="order_amendment_number_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="orderamendment",
            constraint=models.CheckConstraint(
                condition=models.Q(("valid_until__gte", models.F("valid_from"))),
                name="order_amendment_until_after_from",
            ),
        ),
        migrations.AddConstraint(
            model_name="orderamendment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("number", 0), ("kind", "original")),
                    models.Q(("number__gte", 1), models.Q(("kind", "original"), _negated=True)),
                    _connector="OR",
                ),
                name="order_amendment_original_is_0",
            ),
        ),
        migrations.AddIndex(
            model_name="publicationstep",
            index=models.Index(fields=["done_on", "due_on"], name="hotspots_pu_done_on_389548_idx"),
        ),
        migrations.AddConstraint(
            model_name="publicationstep",
            constraint=models.UniqueConstraint(
                condition=models.Q(("commune__isnull", True)),
                fields=("amendment", "kind"),
                name="publication_step_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicationstep",
            constraint=models.UniqueConstraint(
                condition=models.Q(("commune__isnull", False)),
                fields=("amendment", "kind", "commune"),
                name="publication_posting_once_per_commune",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicationstep",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "posted"), ("commune__isnull", False)),
                    models.Q(
                        models.Q(("kind", "posted"), _negated=True), ("commune__isnull", True)
                    ),
                    _connector="OR",
                ),
                name="publication_posting_has_commune",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicationstep",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("owner_agency__isnull", False), ("owner_user__isnull", False), _connector="OR"
                ),
                name="publication_step_has_owner",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicationstep",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("done_on__isnull", True), ("done_by__isnull", True)),
                    models.Q(("done_on__isnull", False), ("done_by__isnull", False)),
                    _connector="OR",
                ),
                name="publication_step_done_is_signed",
            ),
        ),
        migrations.AddConstraint(
            model_name="publicationstepreminder",
            constraint=models.UniqueConstraint(
                fields=("step", "week"), name="publication_reminder_once"
            ),
        ),
    ]
