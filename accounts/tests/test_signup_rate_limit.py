"""Signup submissions are rate-limited per IP with allauth's machinery (ACCOUNT_RATE_LIMITS
"signup"): past the limit, a French 429 page and nothing written."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import consents, ready_invitation, text, walk_to_validation

pytestmark = pytest.mark.django_db


def test_twenty_first_submission_in_a_minute_gets_a_french_429(client):
    walk_to_validation(client, ready_invitation())
    for _ in range(20):
        assert client.post(reverse("signup_validation"), {}, REMOTE_ADDR="198.51.100.1").status_code == 200
    response = client.post(reverse("signup_validation"), consents(), REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429
    page = text(response)
    assert "Trop de demandes d'inscription" in page
    assert "Too Many" not in page
    assert not User.objects.exists()


def test_the_limit_is_per_ip(client):
    walk_to_validation(client, ready_invitation())
    for _ in range(20):
        client.post(reverse("signup_validation"), {}, REMOTE_ADDR="198.51.100.1")
    response = client.post(reverse("signup_validation"), consents(), REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 302
    assert User.objects.count() == 1


def test_what_was_typed_is_kept_after_a_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    walk_to_validation(client, ready_invitation())
    client.post(reverse("signup_validation"), {})
    assert client.post(reverse("signup_validation"), consents()).status_code == 429
    assert client.get(reverse("signup_validation")).status_code == 200
