from django.urls import path

from accounts import views

urlpatterns = [
    path("inscription/", views.signup_info, name="signup_info"),
    path("inscription/<str:token>/", views.signup_start, name="signup_start"),
    path("espace/", views.member_home, name="member_home"),
]
