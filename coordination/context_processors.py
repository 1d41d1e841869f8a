from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from coordination import navigation as nav
from coordination import selectors


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_sections": SimpleLazyObject(lambda: nav.sections_for(user, request.path)),
        "current_period": SimpleLazyObject(selectors.current_period),
    }
