"""Two-factor authentication (allauth.mfa): required of every account with access to the admin,
offered to members; the authenticator app's set-up, its codes, the recovery codes, the French
security notices; "Mes appareils"."""

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.core.cache import cache
from django.test import Client

from accounts.models import Event
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


def test_staff_reset_a_lost_second_factor_which_is_recorded_and_told(
    client, django_capture_on_commit_callbacks
):
    staff = factories.StaffFactory()
    manager = factories.ManagerFactory(structures=[factories.StructureFactory()])
    RecoveryCodes.activate(manager)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/user/",
            {"action": "reset_second_factor", "_selected_action": [manager.pk]},
            follow=True,
        )
    assert "Double authentification retirée pour 1 compte" in response.content.decode()
    assert not Authenticator.objects.filter(user=manager).exists()
    event = Event.objects.get(kind=Event.Kind.SECOND_FACTOR_RESET)
    assert (event.member, event.acting_user) == (manager, staff)
    notice = OutgoingEmail.objects.get(recipient=manager, template="mfa/email/second_factor_reset")
    assert "Double authentification réinitialisée" in notice.subject
    # At their next visit the manager sets up a new one.
    other = Client()
    other.force_login(manager)
    assert other.get("/admin/")["Location"] == MFA


def test_a_manager_cannot_reset_anyones_second_factor(client):
    structure = factories.StructureFactory()
    manager = factories.ManagerFactory(structures=[structure])
    colleague = factories.ManagerFactory(structures=[structure])
    member = factories.MemberFactory(structure=structure)
    RecoveryCodes.activate(member)
    client.force_login(manager)
    page = client.get("/admin/structures/member/?status=all").content.decode()
    assert "reset_second_factor" not in page
    client.post(
        "/admin/structures/member/?status=all",
        {"action": "reset_second_factor", "_selected_action": [member.pk]},
    )
    assert Authenticator.objects.filter(user=member).exists()
    assert Authenticator.objects.filter(user=colleague).exists()


def test_the_code_of_the_previous_period_is_still_accepted(client):
    """A code typed as the app changes it (or a phone's clock a little behind) works."""
    manager = factories.ManagerFactory()
    now = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(now, tick=False):
        code = factories.totp_code()
    with time_machine.travel(now + datetime.timedelta(seconds=30), tick=False):
        log_in(client, manager)
        client.post(AUTHENTICATE, {"code": code})
        assert "_auth_user_id" in client.session
