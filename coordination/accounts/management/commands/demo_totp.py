"""`manage.py demo_totp <username>`: the current code of a demo account's second factor.

Demo only (DEBUG or DEMO_ALLOWED), and only for an app holding the published demo secret:
it never prints the code of an app a real person set up.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from coordination.people.demo import demo_totp_key, demo_totp_secret
from coordination.people.models import User
from coordination.people.two_factor import totp_device


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo data only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        if not (settings.DEBUG or getattr(settings, "DEMO_ALLOWED", False)):
            raise CommandError("demo_totp runs only with DEBUG on (demo data).")
        user = User.objects.filter(username=username).first()
        device = totp_device(user) if user is not None else None
        if device is None or device.key != demo_totp_key(username):
            raise CommandError(f"{username} has no demo authenticator app.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
        if options["verbosity"] > 1:
            self.stdout.write(f"secret (base32): {demo_totp_secret(username)}")
