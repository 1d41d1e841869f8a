from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalConfig(AppConfig):
    """The regional layer on top of the others: home, overview, CoReS pages, bulletins."""

    name = "coordination.regional"
    label = "regional"
    verbose_name = _("Regional layer")

    def ready(self) -> None:
        from coordination.regional import navigation

        navigation.register()
        # Who sees and attaches documents on bulletins.
        from coordination.regional.bulletins.attachments import register_providers

        register_providers()
