"""The police-judicial annex of the action plan (DESIGN.md §8).

Police-judicial actions leave the plan everyone sees for a confidential annex with its own
versions. The data migration gives each plan holding such actions the annex version that
says where they stand:

- the police-judicial entries of the plan's last validated version were validated by the
  CSIR coordinator with it: they become annex version 1, validated (same reviewer, same
  date; the comment concerned the whole plan and stays there);
- police-judicial actions added or changed since then (or never validated) make the next
  annex version, submitted if the plan version that holds them is with the CSIR (same
  submitter and date), a draft otherwise.

Validated plan versions are decisions: their snapshots are kept as frozen, police-judicial
entries included. Readers outside the circle never see those entries (the version page
filters them); the plan's change list no longer counts them for anybody.

A draft of the plan that only a police-judicial change opened (never submitted, the
content of the plan proper identical to the validated version before it) holds nothing and
decides nothing; it is what showed the others a "new draft" with an empty change list, so
it is removed and the plan is again its validated version. The audit trail keeps the entry
that opened it.

Reverse: the annex table goes; a removed empty draft is not recreated (the next change to
the plan opens one again).
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POLICE_JUDICIAL = "police_judicial"
VALIDATED, SUBMITTED, DRAFT = "validated", "submitted", "draft"
# As ``taskforces.selectors.plans.PLAN_FIELDS``: what an action *is* in the plan.
PLAN_FIELDS = [
    "title",
    "description",
    "axis",
    "lead_agency",
    "partner_agencies",
    "start_on",
    "due_on",
    "horizon",
    "deliverable",
    "indicator",
    "indicator_target",
    "confidentiality",
]


def _entry(action: Any) -> dict[str, Any]:
    """As ``taskforces.selectors.plans.action_snapshot`` (frozen here: it may change)."""
    return {
        "id": action.pk,
        "title": action.title,
        "description": action.description,
        "axis": action.axis,
        "lead_agency": action.lead_agency_id,
        "partner_agencies": sorted(agency.pk for agency in action.partner_agencies.all()),
        "start_on": action.start_on.isoformat() if action.start_on else None,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "horizon": action.horizon,
        "deliverable": action.deliverable,
        "indicator": action.indicator_id,
        "indicator_target": (
            str(action.indicator_target) if action.indicator_target is not None else None
        ),
        "confidentiality": action.confidentiality,
        "status": action.status,
        "progress": action.progress,
    }


def _same(frozen: list[dict[str, Any]], now: list[dict[str, Any]]) -> bool:
    """The same actions with the same plan fields (status and progress are not content)."""
    before = {entry["id"]: entry for entry in frozen}
    after = {entry["id"]: entry for entry in now}
    if set(before) != set(after):
        return False
    return all(before[pk].get(name) == after[pk].get(name) for pk in before for name in PLAN_FIELDS)


def move_police_judicial_actions(apps: Any, schema_editor: Any) -> None:
    ActionPlan = apps.get_model("taskforces", "ActionPlan")
    Action = apps.get_model("taskforces", "Action")
    PlanVersion = apps.get_model("taskforces", "PlanVersion")
    AnnexVersion = apps.get_model("taskforces", "AnnexVersion")
    plans = ActionPlan.objects.filter(
        pk__in=Action.objects.filter(confidentiality=POLICE_JUDICIAL).values("plan_id")
    ).order_by("pk")
    for plan in plans:
        actions = Action.objects.filter(plan=plan).prefetch_related("partner_agencies")
        annex_now = [_entry(a) for a in actions.filter(confidentiality=POLICE_JUDICIAL)]
        main_now = [_entry(a) for a in actions.exclude(confidentiality=POLICE_JUDICIAL)]
        versions = list(PlanVersion.objects.filter(plan=plan).order_by("number"))
        validated = [v for v in versions if v.state == VALIDATED]
        base = validated[-1] if validated else None
        latest = versions[-1] if versions else None
        frozen = [
            entry
            for entry in ((base.snapshot or {}).get("actions", []) if base else [])
            if entry.get("confidentiality") == POLICE_JUDICIAL
        ]
        number = 0
        if frozen:
            number = 1
            AnnexVersion.objects.create(
                plan=plan,
                number=number,
                state=VALIDATED,
                submitted_at=base.submitted_at,
                submitted_by_id=base.submitted_by_id,
                reviewed_at=base.reviewed_at,
                reviewed_by_id=base.reviewed_by_id,
                snapshot={"actions": frozen},
            )
        if not frozen or not _same(frozen, annex_now):
            submitted = latest is not None and latest.state == SUBMITTED
            AnnexVersion.objects.create(
                plan=plan,
                number=number + 1,
                state=SUBMITTED if submitted else DRAFT,
                submitted_at=latest.submitted_at if submitted else None,
                submitted_by_id=latest.submitted_by_id if submitted else None,
            )
        # The empty draft a police-judicial change opened in the plan everyone sees.
        if (
            base is not None
            and latest is not None
            and latest.state == DRAFT
            and latest.submitted_at is None
            and latest.number == base.number + 1
        ):
            main_frozen = [
                entry
                for entry in (base.snapshot or {}).get("actions", [])
                if entry.get("confidentiality") != POLICE_JUDICIAL
            ]
            if _same(main_frozen, main_now):
                latest.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("taskforces", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="accessgrant",
            name="codename",
            field=models.CharField(
                choices=[
                    ("view_taskforce", "Read the task force (without its police-judicial items)"),
                    ("view_police_judicial", "See the police-judicial items (join the circle)"),
                ],
                max_length=40,
                verbose_name="permission",
            ),
        ),
        migrations.CreateModel(
            name="AnnexVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted to the CSIR"),
                            ("validated", "Validated"),
                            ("returned", "Returned with comments"),
                        ],
                        default="draft",
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                (
                    "submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
                ),
                (
                    "reviewed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reviewed at"),
                ),
                ("review_comment", models.TextField(blank=True, verbose_name="CSIR comments")),
                (
                    "snapshot",
                    models.JSONField(blank=True, null=True, verbose_name="frozen content"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "plan",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="annex_versions",
                        to="taskforces.actionplan",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "police-judicial annex version",
                "verbose_name_plural": "police-judicial annex versions",
                "ordering": ["plan", "-number"],
                "constraints": [
                    models.UniqueConstraint(fields=("plan", "number"), name="annex_version_number")
                ],
            },
        ),
        migrations.RunPython(move_police_judicial_actions, migrations.RunPython.noop),
    ]
