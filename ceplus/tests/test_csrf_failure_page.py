"""A form refused by the CSRF check (a page left open while the session changed) answers our own
French page, status 403, that says what happened and the way on, never Django's technical page."""

import html
import re

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import resolve, reverse
from django.utils.functional import SimpleLazyObject

from accounts.signup.state import SESSION_KEY
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation, start
from ceplus import errors
from ceplus.tests.factories import PASSWORD, MemberFactory, StaffFactory

WIZARD_STEPS = ["signup_account", "signup_address", "signup_beneficiaries", "signup_validation"]
EXPIRED = "Votre session a expiré : recommencez avec le lien d'inscription reçu par email."


def token_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def main_of(response) -> str:
    """The page's own content, without the layout's navigation (which has its own links)."""
    return html.unescape(re.search(r"<main\b.*?</main>", response.content.decode(), re.S).group(0))


def visible_text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def assert_no_jargon(response) -> None:
    page = visible_text(html.unescape(response.content.decode())).lower()
    for word in ("csrf", "403", "interdit", "forbidden", "jeton", "token"):
        assert word not in page, word


@pytest.mark.django_db
def test_a_login_form_from_a_second_tab_after_logging_in_explains_and_leads_to_the_member_area():
    # given CONNEXION open in two tabs, and the person logged in from the first one
    member = MemberFactory()
    client = Client(enforce_csrf_checks=True)
    login = reverse("account_login")
    first_tab = token_of(client.get(login))
    second_tab = token_of(client.get(login))
    credentials = {"login": member.email, "password": PASSWORD}
    response = client.post(login, {**credentials, "csrfmiddlewaretoken": first_tab})
    assert response.status_code == 302

    # when the second tab's form is sent
    response = client.post(login, {**credentials, "csrfmiddlewaretoken": second_tab})

    # then our page: what happened, the form again, and the member's area
    assert response.status_code == 403
    assert "<title>Page expirée – CE+ Services</title>" in response.content.decode()
    main = main_of(response)
    assert "Cette page a expiré" in main
    assert f'href="{login}"' in main
    assert f'href="{reverse("member_home")}"' in main
    assert EXPIRED not in main
    assert_no_jargon(response)


@pytest.mark.django_db
def test_staff_refused_by_the_check_are_led_to_the_administration():
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("account_login"))
    client.force_login(StaffFactory())
    response = client.post(reverse("account_login"), {"csrfmiddlewaretoken": "perime"})
    assert response.status_code == 403
    main = main_of(response)
    assert f'href="{reverse("admin:index")}"' in main
    assert f'href="{reverse("member_home")}"' not in main


@pytest.mark.django_db
def test_a_wizard_step_sent_after_the_cookies_were_cleared_says_to_start_again_from_the_email_link():
    # given a wizard started from the invitation link, step 1 open
    client = Client(enforce_csrf_checks=True)
    start(client, ready_invitation())
    token = token_of(client.get(reverse("signup_account")))

    # when the cookies are cleared, then the step is sent
    client.cookies.clear()
    response = client.post(reverse("signup_account"), {**ACCOUNT, "csrfmiddlewaretoken": token})

    # then the session is said to have expired, with the way to start again
    assert response.status_code == 403
    main = main_of(response)
    assert "Cette page a expiré" in main
    assert EXPIRED in visible_text(main)
    assert f'href="{reverse("signup_info")}"' in main
    # Reloading the step would only send the person back to the start.
    assert f'href="{reverse("signup_account")}"' not in main
    assert_no_jargon(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", WIZARD_STEPS)
def test_every_wizard_step_sent_without_a_session_says_the_session_expired(url_name):
    response = Client(enforce_csrf_checks=True).post(reverse(url_name), {"nav": "next"})
    assert response.status_code == 403
    assert EXPIRED in visible_text(main_of(response))
    assert f'href="{reverse("signup_info")}"' in main_of(response)


@pytest.mark.django_db
def test_a_wizard_step_refused_while_the_wizard_is_still_there_offers_to_reload_the_step():
    client = Client(enforce_csrf_checks=True)
    start(client, ready_invitation())
    client.get(reverse("signup_account"))
    assert client.session.get(SESSION_KEY)

    response = client.post(reverse("signup_account"), {**ACCOUNT, "csrfmiddlewaretoken": "perime"})

    assert response.status_code == 403
    main = main_of(response)
    assert EXPIRED not in visible_text(main)
    assert f'href="{reverse("signup_account")}"' in main


def test_the_kernel_reads_the_wizard_state_under_the_wizard_key():
    """``ceplus`` imports no app: it names the wizard's session key itself, and must agree."""
    assert errors.SIGNUP_WIZARD_SESSION_KEY == SESSION_KEY


def broken(*args, **kwargs):
    raise OperationalError("the database is gone")


class BrokenSession:
    get = staticmethod(broken)
    __getitem__ = staticmethod(broken)
    __contains__ = staticmethod(broken)


def test_the_page_answers_when_the_session_and_the_database_are_unavailable(rf):
    request = rf.post(reverse("signup_address"))
    request.resolver_match = resolve(reverse("signup_address"))
    request.session = BrokenSession()
    request.user = SimpleLazyObject(broken)

    response = errors.csrf_failure(request, reason="CSRF cookie not set.")

    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "Cette page a expiré" in page
    assert EXPIRED in visible_text(page)


def test_no_reload_link_to_a_path_that_leaves_the_site(rf):
    request = rf.post("/compte/login/")
    request.path = "//evil.example/compte/login/"
    request.session = {}

    response = errors.csrf_failure(request, reason="CSRF token missing.")

    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
