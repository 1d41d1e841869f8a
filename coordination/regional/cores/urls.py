from django.urls import path

from coordination.regional.cores import views

app_name = "cores"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/decisions/", views.decision_add, name="decision_add"),
]
