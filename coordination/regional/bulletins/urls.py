from django.urls import path

from coordination.regional.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_new, name="new"),
    path("share/", views.good_practice_share, name="share"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/readers/", views.bulletin_readers, name="readers"),
    path("<int:pk>/correct/", views.bulletin_correct, name="correct"),
    path("<int:pk>/withdraw/", views.bulletin_withdraw, name="withdraw"),
]
