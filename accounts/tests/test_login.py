"""CONNEXION: the seed's page, in French, and who gets in."""

import pytest
from django.urls import reverse

from accounts.models import User
from ceplus.tests import factories

LOGIN_URL = "/compte/login/"


@pytest.mark.django_db
def test_login_page_has_the_seed_fields_links_and_hint(client):
    """Email, Mot de passe, the three links and the permanent hint for former members."""
    response = client.get(LOGIN_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Connexion – CE+ Services</title>" in page
    assert ">Connexion</h1>" in page
    assert 'for="id_login">Email' in page
    assert 'for="id_password">Mot de passe' in page
    assert 'type="email"' in page
    assert 'autocomplete="email"' in page
    assert 'autocomplete="current-password"' in page
    assert "Première connexion sur le nouveau site ?" in page
    assert f'<a href="{reverse("account_reset_password")}">Réinitialisez votre mot de passe.</a>' in page
    assert "REVENIR À L'ACCUEIL" in page
    assert f'<a href="{reverse("signup_info")}">CRÉER UN COMPTE</a>' in page
    assert "J&#x27;AI OUBLIÉ MON MOT DE PASSE" in page or "J'AI OUBLIÉ MON MOT DE PASSE" in page
    assert "Courriel" not in page


@pytest.mark.django_db
def test_approved_member_logs_in_whatever_the_case_of_the_address(client):
    """The address is matched case-insensitively and the member lands on the site, logged in."""
    member = factories.MemberFactory(email="marie.martin@example.org")
    response = client.post(LOGIN_URL, {"login": "Marie.MARTIN@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.django_db
def test_wrong_password_shows_a_french_error_and_an_error_title(client):
    """A failed login says so in French, in the error summary, and the title starts with Erreur."""
    factories.MemberFactory(email="marie@example.org")
    response = client.post(LOGIN_URL, {"login": "marie@example.org", "password": "pas le bon"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Erreur : Connexion – CE+ Services</title>" in page
    assert "Il y a un problème" in page
    assert "L&#x27;adresse email ou le mot de passe est incorrect." in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_empty_form_says_what_to_type_at_each_field(client):
    response = client.post(LOGIN_URL, {"login": "", "password": ""})
    page = response.content.decode()
    assert "Saisissez l&#x27;adresse email de votre compte." in page
    assert "Saisissez votre mot de passe." in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_login_error"' in page


@pytest.mark.django_db
def test_unknown_address_gets_the_same_message_as_a_wrong_password(client):
    factories.MemberFactory(email="marie@example.org")
    known = client.post(LOGIN_URL, {"login": "marie@example.org", "password": "pas le bon"})
    unknown = client.post(LOGIN_URL, {"login": "personne@example.org", "password": "pas le bon"})
    message = "L&#x27;adresse email ou le mot de passe est incorrect."
    assert message in known.content.decode()
    assert message in unknown.content.decode()
    assert known.status_code == unknown.status_code == 200


@pytest.mark.django_db
def test_pending_member_with_the_right_password_is_told_to_wait(client):
    factories.PendingMemberFactory(email="attente@example.org")
    response = client.post(LOGIN_URL, {"login": "attente@example.org", "password": factories.PASSWORD})
    assert response.status_code == 403
    assert "Votre inscription attend la validation de votre structure" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_deactivated_member_sees_the_french_inactive_page(client):
    factories.MemberFactory(email="parti@example.org", is_active=False, status=User.Status.DEACTIVATED)
    response = client.post(
        LOGIN_URL, {"login": "parti@example.org", "password": factories.PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "Ce compte est désactivé" in page
    assert "<title>Compte désactivé – CE+ Services</title>" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_imported_member_without_password_cannot_log_in_and_is_pointed_to_the_reset(client):
    """A member from the former site has no usable password: any password fails, and the page
    keeps pointing to "Réinitialisez votre mot de passe"."""
    member = factories.MemberFactory(email="ancien@example.org")
    member.set_unusable_password()
    member.save()
    response = client.post(LOGIN_URL, {"login": "ancien@example.org", "password": "ancien-mot-de-passe"})
    page = response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "Réinitialisez votre mot de passe." in page


@pytest.mark.django_db
def test_a_huge_password_is_refused_before_hashing(client):
    factories.MemberFactory(email="marie@example.org")
    response = client.post(LOGIN_URL, {"login": "marie@example.org", "password": "x" * 5000})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'aria-describedby="id_password_error"' in response.content.decode()


@pytest.mark.django_db
def test_logout_page_is_french_and_logout_ends_the_session(client):
    member = factories.MemberFactory()
    client.force_login(member)
    page = client.get("/compte/logout/").content.decode()
    assert "<title>Déconnexion – CE+ Services</title>" in page
    assert "Me déconnecter" in page
    response = client.post("/compte/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_allauth_signup_page_points_to_the_invitation_link(client):
    """allauth's own signup is closed: its page explains registration goes through the link."""
    page = client.get("/compte/signup/").content.decode()
    assert "CRÉER UN COMPTE" in page
    assert reverse("signup_info") in page


@pytest.mark.django_db
def test_the_session_key_changes_at_login(client):
    """A session fixed before login (session fixation) is not the one that ends up logged in."""
    member = factories.MemberFactory(email="marie@example.org")
    session = client.session
    session["visite"] = "avant"
    session.save()
    before = session.session_key
    client.post(LOGIN_URL, {"login": "marie@example.org", "password": factories.PASSWORD})
    assert int(client.session["_auth_user_id"]) == member.pk
    assert client.session.session_key != before


@pytest.mark.django_db
def test_logout_deletes_the_session_on_the_server(client):
    from django.contrib.sessions.models import Session

    client.post(
        LOGIN_URL,
        {"login": factories.MemberFactory(email="m@example.org").email, "password": factories.PASSWORD},
    )
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/compte/logout/")
    assert not Session.objects.filter(session_key=key).exists()
