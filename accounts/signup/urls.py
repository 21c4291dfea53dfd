from django.urls import path

from accounts.signup import views

urlpatterns = [
    path("inscription/", views.signup_info, name="signup_info"),
    # The wizard's own pages come before the invitation link, whose token would match them.
    path("inscription/etape/compte/", views.signup_account, name="signup_account"),
    path("inscription/etape/adresse/", views.signup_address, name="signup_address"),
    path("inscription/etape/beneficiaires/", views.signup_beneficiaries, name="signup_beneficiaries"),
    path("inscription/etape/justificatifs/", views.signup_proofs, name="signup_proofs"),
    path("inscription/etape/validation/", views.signup_validation, name="signup_validation"),
    path("inscription/envoyee/", views.signup_sent, name="signup_sent"),
    path("inscription/fonctions/", views.signup_job_titles, name="signup_job_titles"),
    path("inscription/<str:token>/", views.signup_start, name="signup_start"),
]
