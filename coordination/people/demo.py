"""Demo accounts (DEBUG only): every one shares the published demo password."""

from __future__ import annotations

from coordination.people.models import Agency, User

DEMO_PASSWORD = "demo-brussels-2024"  # noqa: S105 - published demo accounts, DEBUG only


def person(username: str, first: str, last: str, agency: Agency, role: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.portal.brussels",
            "agency": agency,
            "role": role,
            **extra,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
