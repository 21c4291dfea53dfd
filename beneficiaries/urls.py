"""Mes bénéficiaires, under /espace/beneficiaires/ (included from ``accounts.member_urls``)."""

from django.urls import path

from beneficiaries import views

urlpatterns = [
    path("", views.beneficiary_list, name="beneficiary_list"),
    path("ajouter/", views.beneficiary_add, name="beneficiary_add"),
    path("<int:pk>/modifier/", views.beneficiary_edit, name="beneficiary_edit"),
    path("<int:pk>/supprimer/", views.beneficiary_remove, name="beneficiary_remove"),
    path("<int:pk>/justificatif/", views.proof_send, name="proof_send"),
]

from beneficiaries import campaign_views  # noqa: E402 (the yearly update's pages)

urlpatterns += [
    path("mise-a-jour/", campaign_views.campaign_update, name="campaign_update"),
]
