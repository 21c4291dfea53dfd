"""The email changes through allauth: a link confirms the new address, the old one stays until
then and gets a notice afterwards."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from ceplus.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("account_email")


@pytest.fixture
def member(client):
    member = MemberFactory(email="marie@example.org")
    client.force_login(member)
    return member


def confirmation_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/compte/confirm-email/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_page_is_ours_and_french(client, member):
    page = client.get(URL).content.decode()
    assert "<title>Modifier mon adresse email – Mon espace adhérent – CE+ Services</title>" in page
    assert "marie@example.org" in page
    assert "Nouvelle adresse email" in page
    assert 'autocomplete="email"' in page


def test_changing_the_email_confirms_the_new_one_and_tells_the_old_one(
    client, member, mailoutbox, django_capture_on_commit_callbacks
):
    # given: a request for a new address
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"action_add": "", "email": "Marie.Nouvelle@Example.org"})
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [["marie.nouvelle@example.org"]]
    member.refresh_from_db()
    assert member.email == "marie@example.org"  # unchanged until confirmed
    assert "marie.nouvelle@example.org" in client.get(URL).content.decode()

    # when: the link of the email is opened and confirmed
    path = confirmation_path(mailoutbox[0])
    page = client.get(path).content.decode()
    assert "Confirmer mon adresse email" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 302

    # then: the new address is the login, the old one is gone and was told
    member.refresh_from_db()
    assert member.email == "marie.nouvelle@example.org"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", "verified", "primary")) == [
        ("marie.nouvelle@example.org", True, True)
    ]
    notice = mailoutbox[-1]
    assert notice.to == ["marie@example.org"]
    assert "marie.nouvelle@example.org" in notice.body


def test_a_pending_change_can_be_cancelled(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"action_add": "", "email": "autre@example.org"})
    client.post(URL, {"action_remove": "", "email": "autre@example.org"})
    assert not EmailAddress.objects.filter(email="autre@example.org").exists()
    member.refresh_from_db()
    assert member.email == "marie@example.org"


def test_an_invalid_address_is_refused_in_french(client, member, mailoutbox):
    response = client.post(URL, {"action_add": "", "email": "pas-une-adresse"})
    page = response.content.decode()
    assert "<title>Erreur : Modifier mon adresse email" in page
    assert "Saisissez une adresse email valide" in page
    assert mailoutbox == []


def test_an_expired_or_forged_link_says_so(client, member):
    page = client.get("/compte/confirm-email/forged-key/").content.decode()
    assert "Ce lien de confirmation a expiré ou n'est plus valable." in page


def test_an_address_of_another_account_is_refused(client, member, mailoutbox):
    """Taking it would give this account another account's login: refused, nothing sent."""
    other = MemberFactory(email="pris@example.org")
    response = client.post(URL, {"action_add": "", "email": "PRIS@example.org"})
    assert "Cette adresse est déjà celle d&#x27;un autre compte" in response.content.decode()
    assert mailoutbox == []
    assert not EmailAddress.objects.filter(email__iexact="pris@example.org", user=member).exists()
    member.refresh_from_db()
    other.refresh_from_db()
    assert (member.email, other.email) == ("marie@example.org", "pris@example.org")
