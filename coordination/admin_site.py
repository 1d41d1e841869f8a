"""The portal's Django admin site: for the technical staff only, and no redirect loop.

Django's own site sends a signed-in person who is not staff to the admin login, which is the
portal's login (``coordination/urls.py``), which sends a signed-in person back where they
came from: a loop. Here such a person gets a plain refusal (403) instead; an anonymous
visitor still goes to the login page.

``PortalAdminConfig`` installs the site as ``admin.site`` (``INSTALLED_APPS``), so every
``@admin.register`` in the apps, and in the packages added later, lands on it.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

REFUSED_TEMPLATE = "coordination/admin/refused.html"


class PortalAdminSite(admin.AdminSite):
    site_header = _("Hotspot strategy portal: administration")
    site_title = _("Portal administration")
    index_title = _("Users, agencies and reference data")

    def refuse(self, request: HttpRequest) -> HttpResponse:
        """The page a signed-in person who is not technical staff gets: a 403, no redirect."""
        return TemplateResponse(request, REFUSED_TEMPLATE, status=403)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                return self.refuse(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super().get_urls()
        # "View on site" fetches any object of any type by id; here only the objects the
        # person may see through a registered model's admin (the others: 404, as missing).
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<path:content_type_id>/<path:object_id>/",
                    self.admin_view(self.view_on_site),
                    name="view_on_site",
                )
        return urls

    def view_on_site(self, request: HttpRequest, content_type_id: str, object_id: str):
        from django.contrib.contenttypes import views as contenttype_views
        from django.contrib.contenttypes.models import ContentType

        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            raise Http404 from None
        model_admin = self._registry.get(model) if model is not None else None
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        if model_admin.get_object(request, object_id) is None:
            raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)


class PortalAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the portal's site as the default ``admin.site``."""

    default_site = "coordination.admin_site.PortalAdminSite"
