from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from beneficiaries.entitled_admin import entitled_export, entitled_page
from ceplus import views
from structures.admin.member_import import member_import
from structures.partners import views as partner_views
from structures.scoping import view_on_site

# The admin's login is allauth's CONNEXION: the same rate limits, "Mot de passe oublié ?" and
# the second factor, which cannot be skipped by signing in at /admin/login/.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon-32.png", permanent=True)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("documents/<slug:kind>/", views.legal_document, name="legal_document"),
    path(
        "documents/<slug:kind>/version-<int:version>/",
        views.legal_document_version,
        name="legal_document_version",
    ),
    path("", include("accounts.signup.urls")),
    path("espace/", include("accounts.member_area.urls")),
    path("", include("structures.urls")),
    path("compte/", include("allauth.urls")),
    # The OpenID Connect provider of the services partenaires: allauth's, its authorization page
    # extended (listed first, so that it answers at the address allauth's URLs name).
    path("identity/o/authorize", partner_views.authorization),
    # The device flow (TVs, consoles) is not offered to the services: its pages do not exist.
    path("identity/o/device", partner_views.not_offered),
    path("", include("allauth.idp.urls")),
    path("admin/import-membres/", member_import, name="admin_member_import"),
    path("admin/ayants-droit/", entitled_page, name="admin_entitled"),
    path("admin/ayants-droit/export/", entitled_export, name="admin_entitled_export"),
    # Before the admin's own, which checks only that the user may enter the admin.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
]

handler404 = "ceplus.errors.page_not_found"
handler500 = "ceplus.errors.server_error"
