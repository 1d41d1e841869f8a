from django.urls import path

from reporting import views
from reporting.briefings import views as briefings

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_request, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/pdf/", views.report_download, name="download"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/regenerate/", views.report_regenerate, name="regenerate"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/meeting/", views.report_meeting, name="meeting"),
    # The CoReS briefing (its PDFs are reports of kind "briefing": download as above).
    path("briefings/", briefings.briefing_list, name="briefings"),
    path("briefings/new/", briefings.briefing_create, name="briefing_create"),
    path("briefings/<int:pk>/", briefings.briefing_detail, name="briefing"),
    path("briefings/<int:pk>/edit/", briefings.briefing_edit, name="briefing_edit"),
    path("briefings/<int:pk>/freeze/", briefings.briefing_freeze, name="briefing_freeze"),
    path("briefings/<int:pk>/decisions/new/", briefings.decision_form, name="decision_add"),
    path(
        "briefings/<int:pk>/decisions/<int:decision_pk>/",
        briefings.decision_form,
        name="decision_edit",
    ),
    path(
        "briefings/<int:pk>/decisions/<int:decision_pk>/remove/",
        briefings.decision_remove,
        name="decision_remove",
    ),
]
