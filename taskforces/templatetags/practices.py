"""The evaluation section of the action page, filled by its selector (one query)."""

from __future__ import annotations

from typing import Any

from django import template

from taskforces.selectors import practices as selectors

register = template.Library()


@register.inclusion_tag("taskforces/practices/_action_section.html", takes_context=True)
def evaluation_section(context: template.Context) -> dict[str, Any]:
    """What the action page says of the action's evaluation, for the person reading it."""
    request = context["request"]
    return {"section": selectors.action_section(request.user, context["action"])}
