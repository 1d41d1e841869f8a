from django.urls import path

from coordination.regional.translations import views

app_name = "translations"
urlpatterns = [
    path("", views.translation_list, name="list"),
    path("<slug:kind>/<int:pk>/", views.translate, name="translate"),
]
