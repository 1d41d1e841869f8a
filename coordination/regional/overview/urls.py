from django.urls import path

from coordination.regional.overview import views

app_name = "overview"
urlpatterns = [path("", views.overview, name="page")]
