from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskforcesConfig(AppConfig):
    name = "taskforces"
    verbose_name = _("Local task forces")

    def ready(self) -> None:
        import taskforces.tasks  # noqa: F401 - the Celery jobs, for the outbox's hand-off
        from hotspots import events
        from taskforces import navigation
        from taskforces.services import taskforces as taskforce_services

        navigation.register()
        events.hotspot_approved.connect(
            taskforce_services.on_hotspot_approved, dispatch_uid="taskforces.open"
        )
