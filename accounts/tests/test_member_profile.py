"""Mon profil: nom, prénom, fonction (found by keyword), téléphone; errors said at each field."""

import pytest
from django.urls import reverse

from accounts.forms import JOB_TITLE_OTHER
from accounts.models import JobTitle, User
from ceplus.tests.factories import MemberFactory, StructureFactory

pytestmark = pytest.mark.django_db

URL = reverse("member_profile")


def post(client, **overrides):
    data = {"last_name": "Martin", "first_name": "Marie", "job_title": "Comptable", "phone": "06 11 22 33 44"}
    data.update(overrides)
    return client.post(URL, data)


@pytest.fixture
def member(client):
    member = MemberFactory(job_title=JobTitle.objects.get(name="Comptable"))
    client.force_login(member)
    return member


def test_page_shows_the_current_values(client, member):
    page = client.get(URL).content.decode()
    assert "<title>Mon profil – Mon espace adhérent – CE+ Services</title>" in page
    assert f'value="{member.last_name}"' in page
    assert 'value="Comptable"' in page
    assert 'value="06 12 34 56 78"' in page  # national format
    assert 'autocomplete="family-name"' in page
    assert 'autocomplete="organization-title"' in page
    assert 'autocomplete="tel"' in page
    assert member.email in page
    assert f'href="{reverse("account_email")}"' in page


def test_saving_updates_the_profile(client, member):
    response = post(
        client, last_name="  Dupont ", first_name="Léa", job_title="infirmier bloc", phone="0611223344"
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    member.refresh_from_db()
    assert (member.last_name, member.first_name) == ("Dupont", "Léa")
    assert member.job_title.name == "Infirmier / Infirmière de bloc opératoire"
    assert member.phone.as_e164 == "+33611223344"


def test_a_keyword_with_several_matches_offers_a_choice(client, member):
    """Without JavaScript: the matching titles come back as a list to pick from; nothing saved."""
    response = post(client, job_title="infirmier")
    page = response.content.decode()
    assert "Plusieurs fonctions correspondent" in page
    assert "Infirmier / Infirmière de bloc opératoire" in page
    assert 'type="radio"' in page
    member.refresh_from_db()
    assert member.job_title.name == "Comptable"
    chosen = JobTitle.objects.get(name="Infirmier / Infirmière puériculteur")
    response = post(client, job_title="infirmier", job_title_choice=chosen.pk)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.job_title == chosen


def test_errors_are_summarised_and_said_at_each_field(client, member):
    response = post(client, last_name="", phone="12")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur : Mon profil" in page
    assert "Il y a un problème" in page
    assert "Saisissez votre nom." in page
    assert "Ce numéro de téléphone n&#x27;est pas valide : saisissez par exemple 06 12 34 56 78" in page
    assert 'aria-invalid="true"' in page
    member.refresh_from_db()
    assert member.last_name != ""


def test_an_unknown_job_title_is_refused_with_a_hint(client, member):
    page = post(client, job_title="astronaute lunaire").content.decode()
    assert "Aucune fonction ne correspond" in page


def test_extra_fields_are_ignored(client, member):
    """Mass assignment: status, structure, staff flag or email posted with the form change nothing."""
    other = StructureFactory()
    response = post(
        client, status="rejected", structure=other.pk, is_staff="on", is_superuser="on", email="x@example.org"
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED
    assert member.structure != other
    assert not member.is_staff
    assert not member.is_superuser
    assert member.email != "x@example.org"


def test_script_in_a_name_is_shown_escaped(client, member):
    post(client, last_name="<script>alert(1)</script>")
    page = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.django_db
def test_a_fonction_not_in_the_list_is_kept_as_typed_with_autre(client):
    """Mon profil, like the wizard, keeps a fonction the list does not have once "Autre" is
    chosen, and shows it again as typed."""
    member = MemberFactory()
    client.force_login(member)
    data = {
        "last_name": member.last_name,
        "first_name": member.first_name,
        "job_title": "Souffleur de verre",
        "job_title_choice": JOB_TITLE_OTHER,
        "phone": "06 12 34 56 78",
    }
    response = client.post(reverse("member_profile"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert (member.job_title, member.job_title_other) == (None, "Souffleur de verre")
    assert "Souffleur de verre" in client.get(reverse("member_profile")).content.decode()
