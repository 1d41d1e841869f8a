from django.urls import path

from coordination.attachments import views

app_name = "attachments"

urlpatterns = [
    path("on/<str:kind>/<int:object_id>/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/version/", views.upload_version, name="upload_version"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/v<int:number>/download/", views.download, name="download"),
]
