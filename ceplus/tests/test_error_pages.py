"""Plain French error pages, and no traceback in production."""

import pytest
from django.urls import include, path


def boom(request):
    raise RuntimeError("secret detail of the failure")


urlpatterns = [path("boom/", boom), path("", include("ceplus.urls"))]
handler404 = "ceplus.errors.page_not_found"
handler500 = "ceplus.errors.server_error"


@pytest.mark.django_db
@pytest.mark.urls("ceplus.tests.test_error_pages")
def test_a_server_error_shows_a_plain_french_page_without_traceback(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Désolé, le service rencontre un problème" in response.text
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.django_db
def test_a_missing_page_shows_a_french_404_in_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert "SIRET 398 899 559 00049" in response.text
