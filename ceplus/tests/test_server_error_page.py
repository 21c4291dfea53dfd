"""The 500 page is styled under the site's own Content-Security-Policy: a stylesheet of ours,
no inline style (which the policy refuses, leaving the page bare)."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import include, path


def boom(request):
    raise RuntimeError("secret detail of the failure")


urlpatterns = [path("boom/", boom), path("", include("ceplus.urls"))]
handler500 = "ceplus.errors.server_error"


@pytest.fixture
def error_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    return response


@pytest.mark.django_db
@pytest.mark.urls("ceplus.tests.test_server_error_page")
def test_the_server_error_page_has_no_inline_style(error_page):
    page = error_page.content.decode()
    assert "<style" not in page
    assert not re.search(r"\sstyle\s*=", page)
    assert "'unsafe-inline'" not in error_page["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.urls("ceplus.tests.test_server_error_page")
def test_the_server_error_page_links_a_stylesheet_of_the_site(error_page):
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', error_page.content.decode())
    assert stylesheets
    for href in stylesheets:
        assert href.startswith(settings.STATIC_URL), href
        assert finders.find(href.removeprefix(settings.STATIC_URL)), f"{href} is not in static/"
