"""Displacement early warning: the area of an indicator value (hotspot, buffer, control),
the buffer and control set-up of each hotspot and the monthly quotient measures."""

import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

#: The starter-set counts of crime and nuisance whose displacement is watched.
DISPLACEMENT_RELEVANT = ("shootings", "resident_complaints")


def mark_relevant(apps, schema_editor):
    apps.get_model("hotspots", "IndicatorDefinition").objects.filter(
        code__in=DISPLACEMENT_RELEVANT
    ).update(displacement_relevant=True)


def unmark_relevant(apps, schema_editor):
    apps.get_model("hotspots", "IndicatorDefinition").objects.update(displacement_relevant=False)


class Migration(migrations.Migration):
    dependencies = [
        ("hotspots", "0005_indicator_goals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DisplacementMeasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="The last month of the after window.", verbose_name="month"
                    ),
                ),
                (
                    "split_on",
                    models.DateField(blank=True, null=True, verbose_name="before/after split"),
                ),
                (
                    "window_months",
                    models.PositiveSmallIntegerField(verbose_name="months before and after"),
                ),
                (
                    "buffer_metres",
                    models.PositiveIntegerField(verbose_name="buffer width (metres)"),
                ),
                (
                    "target_before",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                (
                    "target_after",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                (
                    "buffer_before",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                (
                    "buffer_after",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                (
                    "control_before",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                (
                    "control_after",
                    models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True),
                ),
                (
                    "missing_months",
                    models.PositiveSmallIntegerField(default=0, verbose_name="area-months missing"),
                ),
                (
                    "wdq",
                    models.DecimalField(
                        blank=True,
                        decimal_places=4,
                        max_digits=14,
                        null=True,
                        verbose_name="weighted displacement quotient",
                    ),
                ),
                (
                    "tne",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=16,
                        null=True,
                        verbose_name="total net effect",
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        choices=[
                            ("diffusion", "Diffusion of benefits"),
                            ("displacement", "Displacement"),
                            ("neutral", "Neither displacement nor diffusion"),
                            ("no_success", "No measurable success in the hotspot"),
                            ("no_change", "No change in the hotspot"),
                            ("control_zero", "Zero count in the control area"),
                            ("missing_months", "Months missing"),
                            ("too_early", "Too early: the after window is not complete"),
                            ("no_split", "No before/after split (the hotspot was never activated)"),
                        ],
                        max_length=16,
                        verbose_name="interpretation",
                    ),
                ),
                (
                    "computed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="computed at"
                    ),
                ),
                (
                    "warned_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="warned at"),
                ),
            ],
            options={
                "verbose_name": "displacement measure",
                "verbose_name_plural": "displacement measures",
                "ordering": ["hotspot", "indicator", "-month"],
            },
        ),
        migrations.CreateModel(
            name="DisplacementSetup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "buffer_metres",
                    models.PositiveIntegerField(default=400, verbose_name="buffer width (metres)"),
                ),
                (
                    "buffer_geometry",
                    models.JSONField(blank=True, null=True, verbose_name="buffer area (GeoJSON)"),
                ),
                (
                    "control_geometry",
                    models.JSONField(blank=True, null=True, verbose_name="control area (GeoJSON)"),
                ),
                (
                    "control_is_custom",
                    models.BooleanField(
                        default=False,
                        help_text=(
                            "Unticked, the control area is the rest of the hotspot's police zone."
                        ),
                        verbose_name="custom control area",
                    ),
                ),
                (
                    "split_on",
                    models.DateField(
                        blank=True,
                        help_text="Empty: the month the hotspot was activated.",
                        null=True,
                        verbose_name="before/after split",
                    ),
                ),
                (
                    "window_months",
                    models.PositiveSmallIntegerField(
                        default=6, verbose_name="months before and after"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="updated at"
                    ),
                ),
            ],
            options={
                "verbose_name": "displacement set-up",
                "verbose_name_plural": "displacement set-ups",
            },
        ),
        migrations.AlterModelOptions(
            name="indicatorvalue",
            options={
                "base_manager_name": "in_all_areas",
                "ordering": ["hotspot", "indicator", "area", "month"],
                "verbose_name": "indicator value",
                "verbose_name_plural": "indicator values",
            },
        ),
        migrations.AlterModelManagers(
            name="indicatorvalue",
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("in_all_areas", django.db.models.manager.Manager()),
            ],
        ),
        migrations.RemoveConstraint(
            model_name="indicatorvalue",
            name="one_value_per_month",
        ),
        migrations.AddField(
            model_name="indicatordefinition",
            name="displacement_relevant",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "A count of crime or nuisance whose displacement to the buffer is watched."
                ),
                verbose_name="watched for displacement",
            ),
        ),
        migrations.AddField(
            model_name="indicatorvalue",
            name="area",
            field=models.CharField(
                choices=[
                    ("hotspot", "Hotspot"),
                    ("buffer", "Buffer area"),
                    ("control", "Control area"),
                ],
                default="hotspot",
                max_length=8,
                verbose_name="area",
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                fields=("hotspot", "indicator", "area", "month"), name="one_value_per_area_month"
            ),
        ),
        migrations.AddField(
            model_name="displacementmeasure",
            name="hotspot",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="displacement_measures",
                to="hotspots.hotspot",
                verbose_name="hotspot",
            ),
        ),
        migrations.AddField(
            model_name="displacementmeasure",
            name="indicator",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="displacement_measures",
                to="hotspots.indicatordefinition",
                verbose_name="indicator",
            ),
        ),
        migrations.AddField(
            model_name="displacementsetup",
            name="hotspot",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="displacement_setup",
                to="hotspots.hotspot",
                verbose_name="hotspot",
            ),
        ),
        migrations.AddField(
            model_name="displacementsetup",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="updated by",
            ),
        ),
        migrations.AddConstraint(
            model_name="displacementmeasure",
            constraint=models.UniqueConstraint(
                fields=("hotspot", "indicator", "month"), name="displacement_measure_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="displacementmeasure",
            constraint=models.CheckConstraint(
                condition=models.Q(("month__day", 1)), name="displacement_measure_first_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="displacementsetup",
            constraint=models.CheckConstraint(
                condition=models.Q(("buffer_metres__gte", 50), ("buffer_metres__lte", 5000)),
                name="displacement_buffer_width_bounded",
            ),
        ),
        migrations.AddConstraint(
            model_name="displacementsetup",
            constraint=models.CheckConstraint(
                condition=models.Q(("window_months__gte", 1), ("window_months__lte", 24)),
                name="displacement_window_bounded",
            ),
        ),
        migrations.RunPython(mark_relevant, unmark_relevant),
    ]
