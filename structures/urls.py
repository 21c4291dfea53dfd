from django.urls import path

from structures import views

urlpatterns = [
    path("structures/<int:structure_id>/logo/", views.structure_logo, name="structure_logo"),
    path("services/<int:service_id>/logo/", views.partner_service_logo, name="partner_service_logo"),
]
