from django.urls import path

from coordination.strategy import views

app_name = "strategy"
urlpatterns = [path("", views.strategy, name="page")]
