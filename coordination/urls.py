"""The project's URLs: each app's own ``urls.py``, each under its namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from coordination.notifications import language

urlpatterns = [
    path("", include("coordination.regional.home.urls")),
    path("", include("coordination.core.urls")),
    path("strategy/", include("coordination.strategy.urls")),
    path("overview/", include("coordination.regional.overview.urls")),
    path("hotspots/", include("hotspots.urls")),
    path("taskforces/", include("taskforces.urls")),
    path("calendar/", include("taskforces.calendar_urls")),
    path("reports/", include("reporting.urls")),
    path("cores/", include("coordination.regional.cores.urls")),
    path("bulletins/", include("coordination.regional.bulletins.urls")),
    path("translations/", include("coordination.regional.translations.urls")),
    path("search/", include("coordination.regional.search.urls")),
    path("audit/", include("coordination.audit.urls")),
    path("attachments/", include("coordination.attachments.urls")),
    path("notifications/", include("coordination.notifications.urls")),
    path("jobs/", include("coordination.regional.jobs.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second step of signing in, the set-up of an authenticator app, the security page.
    path("accounts/two-factor/", include("coordination.accounts.urls")),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The language can be chosen on the login page too (a cookie); signed in, the choice
    # also becomes the person's preferred language.
    path("i18n/setlang/", language.set_language, name="set_language"),
    # One login page for everybody: the admin's own login sends people to it.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]
