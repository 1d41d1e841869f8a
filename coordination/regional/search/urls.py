from django.urls import path

from coordination.regional.search import views

app_name = "search"
urlpatterns = [
    path("", views.search, name="page"),
]
