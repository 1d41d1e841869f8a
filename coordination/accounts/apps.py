from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "coordination.accounts"
    label = "accounts"
    verbose_name = _("Sign-in protection")

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from coordination.accounts.lockout import on_locked_out

        # django-axes announces a lock-out only through this signal; the receiver hands it
        # to the service that audits it.
        user_locked_out.connect(on_locked_out, dispatch_uid="accounts.audit_lockout")
