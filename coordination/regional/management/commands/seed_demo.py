"""`manage.py seed_demo`: idempotent demo data showing every feature of the portal."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from coordination.notifications.services import mail_suppressed
from coordination.people.demo import DEMO_PASSWORD, demo_two_factor_accounts
from coordination.regional.demo import seed as demo


class Command(BaseCommand):
    help = "Create or complete the demo data (demo accounts share one published password)."

    def handle(self, *args, **options) -> None:
        if not (settings.DEBUG or getattr(settings, "DEMO_ALLOWED", False)):
            raise CommandError(
                "Demo accounts have a published password: seed_demo runs only with DEBUG on."
            )
        # The demo never mails anyone, whatever broker or SMTP server is configured: its
        # notifications are written with no e-mail due (no outbox row), and anything sent
        # in this process stays in memory.
        quiet = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        with override_settings(MAILERS=quiet), mail_suppressed(), transaction.atomic():
            people = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000"))
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        for username, user in people.items():
            self.stdout.write(f"  {username:<28} {user.get_role_display()} · {user.agency}")
        # The accounts that must use two factors carry an app with a published secret.
        self.stdout.write(
            "Two-factor code (CSIR, administrator, police and prosecutors): "
            "`python manage.py demo_totp <login>`, or an app with the secret below "
            "(public: demo only)"
        )
        for username, secret in demo_two_factor_accounts().items():
            self.stdout.write(f"  {username:<28} {secret}")
