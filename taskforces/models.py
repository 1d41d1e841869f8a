"""Local Task Forces (TFL): one per approved hotspot, with their members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.models import Agency
from hotspots.models import Hotspot


class TaskForce(models.Model):
    hotspot = models.OneToOneField(
        Hotspot, on_delete=models.PROTECT, related_name="taskforce", verbose_name=_("hotspot")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["hotspot__code"]
        verbose_name = _("local task force")
        verbose_name_plural = _("local task forces")
        permissions = [
            ("manage_members", _("Can manage the members of the task force")),
        ]

    def __str__(self) -> str:
        return str(_("Task force %(hotspot)s") % {"hotspot": self.hotspot})


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        COORDINATOR = "coordinator", _("Coordinator")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    taskforce = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["taskforce", "role", "user__last_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["taskforce", "user"], name="one_membership_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
