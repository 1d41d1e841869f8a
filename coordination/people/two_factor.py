"""Two-factor authentication: who must use it (THE rule, written once) and the reads.

A person's second factor is an authenticator app (a django-otp ``TOTPDevice``, one per
person) plus single-use recovery codes (one ``StaticDevice`` holding ``RECOVERY_CODES``
tokens). The audited writes on them are in coordination/accounts/services.py (the audit
trail stands above this package).
"""

from __future__ import annotations

import base64
import binascii
import secrets

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.models import UserObjectPermission

from coordination.people.confidentiality import CIRCLE_CODENAME, agency_in_circle
from coordination.people.models import User
from coordination.people.permissions import is_administrator, is_csir

RECOVERY_CODES = 10
DEVICE_NAME = "portal"
# The app label of the task forces, whose guardian permission puts a person in a circle
# (named, not imported: the task forces stand above this layer).
_CIRCLE_APP = "taskforces"


def must_use_two_factor(user: User | AnonymousUser) -> bool:
    """Whether ``user`` must sign in with a second factor: THE rule, written once.

    The CSIR (coordinator and analysts), administrators (the role, staff and superusers:
    they reach the Django admin), and the police-judicial circle: people whose agency is a
    police or prosecutor's office, and anyone granted a task force's circle.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if is_csir(user) or is_administrator(user) or user.is_staff:
        return True
    if agency_in_circle(user.agency):
        return True
    return UserObjectPermission.objects.filter(
        user=user,
        permission__codename=CIRCLE_CODENAME,
        permission__content_type__app_label=_CIRCLE_APP,
    ).exists()


def totp_device(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def new_secret() -> str:
    """A fresh TOTP secret (hex, as django-otp stores it), for an enrolment to confirm."""
    return secrets.token_hex(20)


def secret_base32(key: str) -> str:
    """The secret as authenticator apps take it when typed in (RFC 4648 base32)."""
    return base64.b32encode(binascii.unhexlify(key)).decode("ascii").rstrip("=")


def normalized(token: str) -> str:
    """A code as typed (spaces, capitals) in the form the devices compare."""
    return "".join(token.split()).lower()


def device_for(user: User, token: str) -> Device | None:
    """The one device a code is meant for: 6 digits for the app, else a recovery code
    (8 characters)."""
    if token.isdigit() and len(token) == 6:
        return totp_device(user)
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def throttled_seconds(*, user: User, token: str) -> int:
    """How long before the device that ``token`` addresses accepts another try (0: now)."""
    device = device_for(user, normalized(token))
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or not data.get("locked_until"):
        return 0
    return max(1, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
