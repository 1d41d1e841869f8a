from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Regional coordination")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import coordination.jobs.tasks
        import coordination.notifications.tasks
        import coordination.outbox.tasks  # noqa: F401 - the Celery jobs, for the outbox's hand-off
        from coordination import navigation
        from coordination.core import dataversion

        navigation.register()
        # The data version's triggers on every table a migration leaves (page cache).
        post_migrate.connect(dataversion.install_after_migrate, sender=self)
