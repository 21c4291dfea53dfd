"""Fonction: a keyword search in the reference list, accent- and case-insensitive, as JSON for
the combobox and on the server for the form without JavaScript."""

import pytest
from django.urls import reverse

from accounts.models import JobTitle
from accounts.selectors import job_title_exact, job_title_search

pytestmark = pytest.mark.django_db


def names(query: str) -> list[str]:
    return [title.name for title in job_title_search(query)]


def test_the_shipped_list_is_a_real_french_one():
    assert JobTitle.objects.count() >= 300
    assert JobTitle.objects.filter(name="Comptable").exists()


def test_comptable_finds_comptable_first():
    assert names("comptable")[0] == "Comptable"
    assert "Aide-comptable" in names("comptable")


def test_search_ignores_accents_and_case():
    assert "Agent / Agente de sécurité" in names("securite")
    assert "Agent / Agente de sécurité" in names("SÉCURITÉ")


def test_every_word_must_match():
    assert names("agent securite") == ["Agent / Agente de sécurité"]


def test_withdrawn_titles_are_not_offered():
    JobTitle.objects.filter(name="Comptable").update(is_active=False)
    assert "Comptable" not in names("comptable")
    assert job_title_exact("comptable") is None


@pytest.mark.parametrize("query", ["", "   ", "%", "_", "'; DROP TABLE accounts_jobtitle; --", "x" * 10_000])
def test_odd_queries_find_nothing_or_little_and_never_fail(query):
    assert len(job_title_search(query)) <= 20


def test_exact_name_resolves_whatever_the_case_and_accents():
    assert job_title_exact("  agent / AGENTE de securite ").name == "Agent / Agente de sécurité"


def test_json_endpoint_returns_matches(client):
    response = client.get(reverse("signup_job_titles"), {"q": "securite"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {
        "id": JobTitle.objects.get(name="Agent / Agente de sécurité").pk,
        "name": "Agent / Agente de sécurité",
    } in results


def test_json_endpoint_with_no_query_returns_nothing(client):
    assert client.get(reverse("signup_job_titles")).json() == {"results": []}


def test_json_endpoint_refuses_post(client):
    assert client.post(reverse("signup_job_titles"), {"q": "a"}).status_code == 405
