"""The espace adhérent, under /espace/ (included from ``ceplus.urls``)."""

from django.urls import include, path

from accounts.member_area import views as member_views

urlpatterns = [
    path("", member_views.member_home, name="member_home"),
    path("profil/", member_views.member_profile, name="member_profile"),
    path("adresse/", member_views.member_address, name="member_address"),
    path("beneficiaires/", include("beneficiaries.urls")),
    path("consentements/", member_views.member_consents, name="member_consents"),
    path(
        "consentements/nouvelles-versions/",
        member_views.member_consents_accept,
        name="member_consents_accept",
    ),
    path("services-connectes/", member_views.member_services, name="member_services"),
    path("donnees/", member_views.member_data, name="member_data"),
    path("donnees/telecharger/", member_views.member_data_export, name="member_data_export"),
    path("donnees/supprimer-mon-compte/", member_views.member_data_erase, name="member_data_erase"),
]
