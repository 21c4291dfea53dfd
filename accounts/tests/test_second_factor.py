"""Two-factor authentication (allauth.mfa): required of every account with access to the admin,
offered to members; the authenticator app's set-up, its codes, the recovery codes, the French
security notices; "Mes appareils"."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.cache import cache
from django.test import Client

from ceplus.models import OutgoingEmail
from ceplus.tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/compte/login/"
MFA = "/compte/2fa/"
ACTIVATE = "/compte/2fa/totp/activate/"
AUTHENTICATE = "/compte/2fa/authenticate/"
REAUTHENTICATE = "/compte/reauthenticate/"


def log_in(client, user, next_url: str = "/admin/"):
    return client.post(f"{LOGIN}?next={next_url}", {"login": user.email, "password": factories.PASSWORD})


def activate_totp(client) -> str:
    """Confirm the password (allauth asks before any change of factor), read the secret shown,
    type its code; the secret."""
    client.post(f"{REAUTHENTICATE}?next={ACTIVATE}", {"password": factories.PASSWORD})
    page = client.get(ACTIVATE)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    # The secret is shown as text beside the QR code, for apps that cannot scan.
    assert secret in page.content.decode()
    response = client.post(ACTIVATE, {"code": factories.totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return secret


@pytest.mark.parametrize("path", ["/admin/", "/admin/structures/member/", "/espace/", "/"])
def test_an_admin_account_without_a_second_factor_sets_one_up_first(client, path):
    manager = factories.ManagerFactory(second_factor=False, structures=[factories.StructureFactory()])
    log_in(client, manager)
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, MFA)
    page = client.get(MFA).content.decode()
    assert "protégez-le par une deuxième étape de connexion" in page
    # Logging out stays possible.
    assert client.post("/compte/logout/").status_code == 302


def test_a_manager_sets_up_an_authenticator_app_and_reaches_the_admin(
    client, django_capture_on_commit_callbacks
):
    manager = factories.ManagerFactory(second_factor=False, structures=[factories.StructureFactory()])
    log_in(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        activate_totp(client)
    assert Authenticator.objects.filter(user=manager, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with the first factor.
    assert Authenticator.objects.filter(user=manager, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/admin/").status_code == 200
    email = OutgoingEmail.objects.get(recipient=manager, template="mfa/email/totp_activated")
    assert "Double authentification activée" in email.subject
    assert "application d'authentification protège désormais" in email.body


def test_a_member_may_turn_it_on_and_then_signs_in_with_a_code(client):
    member = factories.MemberFactory()
    log_in(client, member, "/espace/")
    # Nobody forces a member.
    assert client.get("/espace/").status_code == 200
    assert f'href="{MFA}"' in client.get("/espace/profil/").content.decode()
    secret = activate_totp(client)
    client.post("/compte/logout/")
    cache.clear()  # the activation's code was used: a code works once
    response = log_in(client, member, "/espace/")
    assert response["Location"].startswith(AUTHENTICATE)
    assert "_auth_user_id" not in client.session
    response = client.post(AUTHENTICATE, {"code": factories.totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/espace/"


def test_a_code_works_once(client):
    manager = factories.ManagerFactory()
    log_in(client, manager)
    code = factories.totp_code()
    client.post(AUTHENTICATE, {"code": code})
    assert "_auth_user_id" in client.session
    client.post("/compte/logout/")
    log_in(client, manager)
    response = client.post(AUTHENTICATE, {"code": code})
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_a_recovery_code_opens_the_account_once(client):
    manager = factories.ManagerFactory()
    codes = RecoveryCodes.activate(manager).get_unused_codes()
    log_in(client, manager)
    client.post(AUTHENTICATE, {"code": codes[0]})
    assert "_auth_user_id" in client.session
    client.post("/compte/logout/")
    log_in(client, manager)
    client.post(AUTHENTICATE, {"code": codes[0]})
    assert "_auth_user_id" not in client.session


def test_removing_the_authenticator_app_needs_the_password_and_sends_a_notice(
    client, django_capture_on_commit_callbacks
):
    member = factories.MemberFactory()
    log_in(client, member, "/espace/")
    activate_totp(client)
    response = client.post("/compte/2fa/totp/deactivate/")
    assert response.status_code in (200, 302)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{REAUTHENTICATE}?next=/compte/2fa/totp/deactivate/", {"password": factories.PASSWORD})
        client.post("/compte/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    notice = OutgoingEmail.objects.get(recipient=member, template="mfa/email/totp_deactivated")
    assert "Double authentification désactivée" in notice.subject


def test_my_devices_lists_the_sessions_and_signs_the_others_out(client):
    member = factories.MemberFactory()
    other = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile Safari")
    log_in(other, member, "/espace/")
    log_in(client, member, "/espace/")
    page = client.get("/compte/sessions/").content.decode()
    assert "iPhone" in page or "Safari" in page
    assert 'href="/compte/sessions/"' in client.get("/espace/profil/").content.decode()
    client.post("/compte/sessions/", {"action": "logout"})
    assert other.get("/espace/").status_code == 302
    assert client.get("/espace/").status_code == 200
