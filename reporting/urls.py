from django.urls import path

from reporting import views

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
]
