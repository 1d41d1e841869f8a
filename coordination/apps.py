from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Regional coordination")

    def ready(self) -> None:
        import coordination.jobs.tasks
        import coordination.notifications.tasks
        import coordination.outbox.tasks  # noqa: F401 - the Celery jobs, for the outbox's hand-off
        from coordination import navigation

        navigation.register()
