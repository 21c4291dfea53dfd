"""J'ai oublié mon mot de passe: the same answer for every address, an email only for a real
account, and nothing changes on the page when the mail server is down."""

import re
import smtplib
from unittest import mock

import pytest

from accounts.models import User
from ceplus.models import OutgoingEmail
from ceplus.tests import factories

RESET_URL = "/compte/password/reset/"
DONE_URL = "/compte/password/reset/done/"


def normalised(response) -> str:
    """The page without what differs on every request anyway (CSRF token, CSP nonce)."""
    page = response.content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'nonce="[^"]+"', "", page)


def request_reset(client, capture, email: str):
    with capture(execute=True):
        return client.post(RESET_URL, {"email": email}, follow=True)


@pytest.mark.django_db
def test_reset_page_has_the_seed_title_field_and_button(client):
    page = client.get(RESET_URL).content.decode()
    assert "<title>J'ai oublié mon mot de passe – CE+ Services</title>" in page
    assert "<h1>Réinitialiser votre mot de passe</h1>" in page
    assert 'for="id_email">Email' in page
    assert 'autocomplete="email"' in page
    assert ">Réinitialiser</button>" in page
    assert "REVENIR À L'ACCUEIL" in page
    assert "CRÉER UN COMPTE" in page
    assert "Courriel" not in page


@pytest.mark.django_db
def test_known_address_gets_a_french_email_with_a_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    factories.MemberFactory(email="marie@example.org", first_name="Marie", structure__name="CSE Textiles")
    response = request_reset(client, django_capture_on_commit_callbacks, "Marie@Example.org")
    assert response.redirect_chain == [(DONE_URL, 302)]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["marie@example.org"]
    assert message.subject == "Réinitialisez votre mot de passe – CE+ Services"
    assert "Bonjour Marie," in message.body
    assert "CSE Textiles" in message.body
    assert re.search(r"http://testserver/compte/password/reset/key/\S+/", message.body)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "RÉINITIALISER MON MOT DE PASSE" in html
    assert "CE+ Services" in html
    assert "accueil@ceplusservices.fr" in html


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_status_and_page(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    factories.MemberFactory(email="marie@example.org")
    known = request_reset(client, django_capture_on_commit_callbacks, "marie@example.org")
    unknown = request_reset(client, django_capture_on_commit_callbacks, "personne@example.org")
    assert known.redirect_chain == unknown.redirect_chain == [(DONE_URL, 302)]
    assert known.status_code == unknown.status_code == 200
    assert normalised(known) == normalised(unknown)
    assert "Si un compte existe avec cette adresse" in normalised(known)
    assert [message.to for message in mailoutbox] == [["marie@example.org"]]


@pytest.mark.django_db
def test_unknown_address_gets_no_email_at_all(client, mailoutbox, django_capture_on_commit_callbacks):
    request_reset(client, django_capture_on_commit_callbacks, "personne@example.org")
    assert mailoutbox == []
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_mail_server_down_changes_nothing_on_the_page(client, mailoutbox, django_capture_on_commit_callbacks):
    """The email waits in the outbox with the failure recorded; the person sees the same page."""
    factories.MemberFactory(email="marie@example.org")
    working = request_reset(client, django_capture_on_commit_callbacks, "personne@example.org")
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=smtplib.SMTPException("serveur indisponible"),
    ):
        down_known = request_reset(client, django_capture_on_commit_callbacks, "marie@example.org")
        down_unknown = request_reset(client, django_capture_on_commit_callbacks, "inconnu@example.org")
    assert down_known.status_code == down_unknown.status_code == working.status_code == 200
    assert down_known.redirect_chain == working.redirect_chain
    assert normalised(down_known) == normalised(working) == normalised(down_unknown)
    assert mailoutbox == []
    email = OutgoingEmail.objects.get()
    assert email.to == "marie@example.org"
    assert email.status == OutgoingEmail.Status.FAILED
    assert "serveur indisponible" in email.last_error


@pytest.mark.django_db
def test_deactivated_member_gets_no_reset_email(client, mailoutbox, django_capture_on_commit_callbacks):
    factories.MemberFactory(email="parti@example.org", is_active=False, status=User.Status.DEACTIVATED)
    response = request_reset(client, django_capture_on_commit_callbacks, "parti@example.org")
    assert response.redirect_chain == [(DONE_URL, 302)]
    assert mailoutbox == []


@pytest.mark.django_db
def test_link_goes_to_the_stored_address_never_to_a_look_alike(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """A KELVIN SIGN (U+212A) lowercases to "k": the email still goes to the stored address."""
    factories.MemberFactory(email="mika@example.org")
    request_reset(client, django_capture_on_commit_callbacks, "mi\u212aa@example.org")
    assert [message.to for message in mailoutbox] == [["mika@example.org"]]


@pytest.mark.django_db
def test_a_foreign_host_header_is_refused(client, mailoutbox, django_capture_on_commit_callbacks):
    """The link's host comes from the request: a forged Host header never reaches an email."""
    factories.MemberFactory(email="marie@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": "marie@example.org"}, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert mailoutbox == []


@pytest.mark.django_db
def test_invalid_address_is_explained_in_french(client, mailoutbox):
    response = client.post(RESET_URL, {"email": "pas-une-adresse"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr") == 2
    assert "<title>Erreur : J'ai oublié mon mot de passe – CE+ Services</title>" in page
    assert 'value="pas-une-adresse"' in page
    assert mailoutbox == []


@pytest.mark.django_db
def test_done_page_says_what_to_do_and_links_back(client):
    page = client.get(DONE_URL).content.decode()
    assert "<title>Consultez vos emails – CE+ Services</title>" in page
    assert "courriers indésirables" in page
    assert "REVENIR À L'ACCUEIL" in page
