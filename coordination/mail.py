"""E-mail to people in their own language, rendered from templates, sent after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from coordination.models import User


def send_to_people(people: Iterable[User], *, template: str, context: dict[str, Any]) -> int:
    """Send ``template`` (``<template>_subject.txt`` and ``<template>_body.txt``) to each person.

    Each message is rendered in the person's preferred language. Returns how many were sent.
    """
    sent = 0
    for person in people:
        if not person.email or not person.is_active:
            continue
        with translation.override(person.preferred_language):
            ctx = {**context, "person": person, "base_url": settings.PORTAL_BASE_URL}
            subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
            body = render_to_string(f"{template}_body.txt", ctx)
        message = EmailMessage(subject=subject, body=body, to=[person.email])
        sent += message.send()
    return sent
