from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskforcesConfig(AppConfig):
    name = "taskforces"
    verbose_name = _("Local task forces")

    def ready(self) -> None:
        import taskforces.tasks  # noqa: F401 - the Celery jobs, for the outbox's hand-off
        from coordination.notifications.services import add_attachments
        from hotspots import events
        from taskforces import navigation, notifications
        from taskforces.services import taskforces as taskforce_services

        navigation.register()
        # Who sees and attaches documents on actions, updates, meetings, escalations.
        from taskforces.attachments import register_providers

        register_providers()
        # A meeting's notices carry its calendar invitation (.ics) by e-mail.
        add_attachments(notifications.MEETING_KINDS, notifications.meeting_invitation)
        events.hotspot_approved.connect(
            taskforce_services.on_hotspot_approved, dispatch_uid="taskforces.open"
        )
        # Who is warned of a hotspot's displacement quotient: its task force's members.
        from hotspots.services.displacement_quotient import set_taskforce_people
        from taskforces.selectors.hotspot_people import people_of_hotspots

        set_taskforce_people(people_of_hotspots)
