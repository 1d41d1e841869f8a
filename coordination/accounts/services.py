"""Writes on signing in: lock-outs and second factors, each in a transaction and audited
with codes only (never a secret key or a recovery code in the audit trail)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.db import models, transaction
from django_otp import verify_token
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.audit.services import record
from coordination.people.models import User
from coordination.people.two_factor import (
    DEVICE_NAME,
    RECOVERY_CODES,
    device_for,
    has_second_factor,
    normalized,
)

LOCKED_OUT = "login_locked_out"
UNLOCKED = "login_unlocked"
ENROLLED = "two_factor_enrolled"
CODES_REGENERATED = "two_factor_recovery_codes_regenerated"
RECOVERY_CODE_USED = "two_factor_recovery_code_used"
REMOVED = "two_factor_removed"


def _target(username: str, attempt: AccessAttempt | None) -> tuple[models.Model | None, bool]:
    """The account if it exists, otherwise the attempt row (an unknown name)."""
    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        return user, True
    return attempt, False


def lockout_recorded(*, username: str, ip_address: str, failures: int) -> None:
    """Audit a lock-out (no actor: nobody is signed in)."""
    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
    with transaction.atomic():
        target, known = _target(username, attempt)
        if target is None:
            return
        changes: dict[str, object] = {"ip_address": ip_address, "failures": failures}
        if not known:
            # The account does not exist: the name tried is the only trace of whom it was.
            changes["username"] = username
        record(actor=None, action=LOCKED_OUT, target=target, changes=changes)


def lockout_unlock(*, attempts: models.QuerySet[AccessAttempt], by: User) -> int:
    """Clear failed-login records (an administrator unlocks); each one audited.

    Deleting a record is what unlocks its account and address (axes' database handler
    counts the rows); returns how many were cleared.
    """
    with transaction.atomic():
        rows = list(attempts.select_for_update())
        for attempt in rows:
            target, known = _target(attempt.username or "", attempt)
            changes: dict[str, object] = {
                "ip_address": attempt.ip_address,
                "failures": attempt.failures_since_start,
            }
            if not known:
                changes["username"] = attempt.username
            record(actor=by, action=UNLOCKED, target=target or attempt, changes=changes)
            attempt.delete()
    return len(rows)


def _fresh_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


def two_factor_enrol(*, user: User, key: str, token: str) -> Enrolment | None:
    """Confirm an authenticator app holding ``key`` with its first ``token``.

    Returns None (nothing written) when the code does not match. On success the new app
    replaces any previous one, a new set of recovery codes replaces the old, and both are
    returned for the person to see once.
    """
    candidate = TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    # Checked here, not with the device's verify_token(): that saves the device, even on
    # a wrong code, and nothing may be written before the app is proven to work.
    token = normalized(token)
    totp = TOTP(candidate.bin_key, candidate.step, candidate.t0, candidate.digits)
    totp.time = time.time()
    if not token.isdigit() or not totp.verify(int(token), tolerance=candidate.tolerance):
        return None
    # That code is spent: the sign-in step will not take it again.
    candidate.last_t = totp.t()
    candidate.drift = totp.drift
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user).delete()[0] > 0
        candidate.save()
        codes = _fresh_codes(user)
        record(
            actor=user,
            action=ENROLLED,
            target=user,
            changes={"replaced": replaced, "recovery_codes": len(codes)},
        )
    return Enrolment(device=candidate, recovery_codes=codes)


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """A new set of recovery codes for a person who has an authenticator app."""
    if not has_second_factor(user):
        raise ValueError("no second factor to back up")
    with transaction.atomic():
        codes = _fresh_codes(user)
        record(
            actor=user,
            action=CODES_REGENERATED,
            target=user,
            changes={"recovery_codes": len(codes)},
        )
    return codes


def second_factor_check(*, user: User, token: str) -> Device | None:
    """The device that accepts ``token`` (a 6-digit code or a recovery code), or None.

    A code is tried against the one device of its kind only, so a mistyped code counts
    once against django-otp's throttling. A recovery code is spent when it works; its use
    is audited (the person should know, and make new ones when few are left).
    """
    token = normalized(token)
    device = device_for(user, token)
    if device is None or not token:
        return None
    with transaction.atomic():
        accepted = verify_token(user, device.persistent_id, token)
        if isinstance(accepted, StaticDevice):
            record(
                actor=user,
                action=RECOVERY_CODE_USED,
                target=user,
                changes={"recovery_codes_left": accepted.token_set.count()},
            )
    return accepted


def two_factor_remove(*, user: User, by: User, devices: list[Device] | None = None) -> int:
    """Remove ``devices`` of ``user`` (all of them by default): lost phone, or the person
    turns the second factor off. Audited; returns how many devices were removed."""
    with transaction.atomic():
        if devices is None:
            devices = [
                *TOTPDevice.objects.filter(user=user),
                *StaticDevice.objects.filter(user=user),
            ]
        kinds = sorted(
            "totp" if isinstance(device, TOTPDevice) else "recovery_codes" for device in devices
        )
        for device in devices:
            device.delete()
        if devices:
            record(actor=by, action=REMOVED, target=user, changes={"devices": kinds})
    return len(devices)
