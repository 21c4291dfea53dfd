from django.contrib import admin
from django.urls import include, path

from ceplus import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("documents/<slug:kind>/", views.legal_document, name="legal_document"),
    path(
        "documents/<slug:kind>/version-<int:version>/",
        views.legal_document_version,
        name="legal_document_version",
    ),
    path("", include("accounts.urls")),
    path("", include("structures.urls")),
    path("compte/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "ceplus.errors.page_not_found"
handler500 = "ceplus.errors.server_error"
