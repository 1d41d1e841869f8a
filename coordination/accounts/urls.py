from django.urls import path

from coordination.accounts import views

app_name = "two_factor"
urlpatterns = [
    path("", views.security, name="index"),
    path("verify/", views.verify, name="verify"),
    path("set-up/", views.enrol, name="enrol"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("turn-off/", views.turn_off, name="turn_off"),
]
