"""A look-alike of an account's address ("ｅxample.org" with a fullwidth letter, delivered to
example.org) is that account's address in every journey: signup, login, password reset and
email change never treat it as another mailbox."""

import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation, submit, walk_to_validation
from ceplus.tests import factories

pytestmark = pytest.mark.django_db

# "ｅ" is U+FF45 FULLWIDTH LATIN SMALL LETTER E.
LOOKALIKE = "Marie.Martin@\uff45xample.org"
LOGIN_URL = "/compte/login/"
RESET_URL = "/compte/password/reset/"
START = datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0) + datetime.timedelta(minutes=1)


def test_signup_with_a_lookalike_makes_no_second_account_and_tells_the_owner(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    # given: an account, and someone going through the wizard with a look-alike of its address
    owner = factories.MemberFactory(email="marie.martin@example.org")
    invitation = ready_invitation()
    walk_to_validation(client, invitation, account={**ACCOUNT, "email": LOOKALIKE})

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)

    # then: the usual confirmation page, no second account, the owner gets "already exists"
    assert response["Location"] == reverse("signup_sent")
    assert list(User.objects.all()) == [owner]
    assert not EmailAddress.objects.exclude(user=owner).exists()
    assert [message.to for message in mailoutbox] == [["marie.martin@example.org"]]
    assert "http://testserver/compte/password/reset/" in mailoutbox[0].body
    assert "bien reçue" not in mailoutbox[0].subject


def test_signup_with_a_lookalike_of_a_new_address_stores_the_normalised_form(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    invitation = ready_invitation()
    walk_to_validation(client, invitation, account={**ACCOUNT, "email": "Zoe@\uff45xample.org"})
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    user = User.objects.get()
    assert user.email == "zoe@example.org"
    assert list(EmailAddress.objects.values_list("email", flat=True)) == ["zoe@example.org"]
    assert {address for message in mailoutbox for address in message.to} == {"zoe@example.org"}


def test_login_with_a_lookalike_logs_into_the_real_account(client):
    """The look-alike is the same mailbox, so the same login: the account's password opens it."""
    member = factories.MemberFactory(email="marie.martin@example.org")
    response = client.post(LOGIN_URL, {"login": LOOKALIKE, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


def test_failed_logins_with_lookalikes_count_against_the_real_account(client):
    """Variants of the address do not buy more tries than the five per account."""
    factories.MemberFactory(email="marie.martin@example.org")
    variants = [LOOKALIKE, "marie.martin@\uff25xample.org", "marie.martin@e\uff58ample.org"]
    with time_machine.travel(START, tick=False):
        for index in range(5):
            client.post(LOGIN_URL, {"login": variants[index % 3], "password": "pas le bon"})
        response = client.post(
            LOGIN_URL, {"login": "marie.martin@example.org", "password": factories.PASSWORD}
        )
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_with_a_lookalike_sends_the_link_to_the_stored_address_only(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    factories.MemberFactory(email="marie.martin@example.org", first_name="Marie")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": LOOKALIKE}, follow=True)
    assert response.redirect_chain == [("/compte/password/reset/done/", 302)]
    assert [message.to for message in mailoutbox] == [["marie.martin@example.org"]]
    assert "/compte/password/reset/key/" in mailoutbox[0].body


def test_email_change_to_a_lookalike_of_another_account_is_refused_in_french(client, mailoutbox):
    member = factories.MemberFactory(email="paul@example.org")
    other = factories.MemberFactory(email="marie.martin@example.org")
    client.force_login(member)
    response = client.post(reverse("account_email"), {"action_add": "", "email": LOOKALIKE})
    assert "Cette adresse est déjà celle d&#x27;un autre compte" in response.content.decode()
    assert mailoutbox == []
    assert not EmailAddress.objects.filter(user=member).exclude(email="paul@example.org").exists()
    member.refresh_from_db()
    other.refresh_from_db()
    assert (member.email, other.email) == ("paul@example.org", "marie.martin@example.org")


def test_email_change_to_a_new_lookalike_stores_the_normalised_form(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    member = factories.MemberFactory(email="paul@example.org")
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email"), {"action_add": "", "email": "Paul.Neuf@\uff45xample.org"}
        )
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [["paul.neuf@example.org"]]
    assert EmailAddress.objects.filter(user=member, email="paul.neuf@example.org", verified=False).exists()


def test_reset_requests_with_lookalikes_count_against_the_real_address(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    """Five links an hour to one mailbox, whatever variants of its address are typed."""
    factories.MemberFactory(email="marie.martin@example.org")
    variants = [LOOKALIKE, "marie.martin@\uff25xample.org", "marie.martin@e\uff58ample.org"]
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        codes = [
            client.post(RESET_URL, {"email": variants[n % 3]}, REMOTE_ADDR=f"10.0.0.{n}").status_code
            for n in range(6)
        ]
    assert codes == [302] * 5 + [429]
    assert len(mailoutbox) == 5


def test_the_admin_login_takes_any_form_of_the_staff_address(client):
    """An internationalised domain is stored in its ASCII form; the login finds the staff
    account whichever form is typed, then asks for its second factor."""
    staff = factories.StaffFactory(email="Staff@Caf\u00e9.fr")
    assert staff.email == "staff@xn--caf-dma.fr"
    for typed in ("staff@caf\u00e9.fr", "STAFF@xn--caf-dma.fr", "staff@Caf\uff45\u0301.fr"):
        client.logout()
        # A code works once (allauth keeps the used ones for a period): a fresh one each time.
        cache.clear()
        response = client.post(
            "/compte/login/?next=/admin/", {"login": typed, "password": factories.PASSWORD}
        )
        assert response["Location"].startswith("/compte/2fa/authenticate/"), typed
        response = client.post("/compte/2fa/authenticate/", {"code": factories.totp_code()})
        assert int(client.session["_auth_user_id"]) == staff.pk
