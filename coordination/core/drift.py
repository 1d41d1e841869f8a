"""Drift between the object permissions granted and what the data implies.

Each app compares the django-guardian permissions of its objects with what its rows imply
(memberships, actions, pending decisions, agencies) and can repair the difference; the
``permissions_check`` command runs them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Drift:
    """One permission that is granted but should not be, or should be and is not.

    ``obj`` is the object the permission is on (the audit entry of a repair points at it).
    """

    missing: bool
    perm: str
    holder: str
    target: str
    obj: Any = field(default=None, compare=False, repr=False)
    police_judicial: bool = False

    def __str__(self) -> str:
        sign = "+" if self.missing else "-"
        return f"{sign} {self.perm} · {self.holder} · {self.target}"
