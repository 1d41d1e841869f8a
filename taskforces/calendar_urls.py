"""The calendar URLs (``calendar`` namespace, at the root under ``calendar/``): the page of
a person's secret address, and the address itself, which calendar apps poll."""

from django.urls import path

from taskforces.views import calendar

app_name = "calendar"
urlpatterns = [
    path("", calendar.subscription, name="subscription"),
    path("create/", calendar.subscription_create, name="create"),
    path("renew/", calendar.subscription_renew, name="renew"),
    path("revoke/", calendar.subscription_revoke, name="revoke"),
    path("<str:token>.ics", calendar.feed, name="feed"),
]
