from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reports to the CoReS")

    def ready(self) -> None:
        import reporting.tasks  # noqa: F401 - the Celery jobs, for the outbox's hand-off
        from reporting import navigation

        navigation.register()
