from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    name = "hotspots"
    verbose_name = _("Hotspots")

    def ready(self) -> None:
        import hotspots.tasks  # noqa: F401 - the Celery jobs, for the outbox's hand-off
        from coordination.people.services import person_changed
        from hotspots import navigation, panels_indicators
        from hotspots.services import hotspots as hotspot_services

        navigation.register()
        panels_indicators.register()
        person_changed.connect(hotspot_services.decide_grants_sync, dispatch_uid="hotspots.decide")
