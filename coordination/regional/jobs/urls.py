from django.urls import path

from coordination.regional.jobs import views

app_name = "jobs"
urlpatterns = [path("", views.scheduled_work, name="page")]
