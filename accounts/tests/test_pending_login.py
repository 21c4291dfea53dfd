"""A member whose structure has not validated the registration logs in with the right password
and is told so; a rejected one is told it was refused, and why; a wrong password gets the usual
message and reveals no status."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import (
    ACCOUNT,
    PASSWORD,
    ready_invitation,
    submit,
    text,
    walk_to_validation,
)
from ceplus.tests import factories

pytestmark = pytest.mark.django_db

STATUS_WORDS = ("validé", "refusé", "attente", "Motif")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def log_in(client, email, password=factories.PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_pending_member_is_told_the_structure_has_not_validated_yet(client):
    member = factories.PendingMemberFactory(structure=factories.StructureFactory(name="CSE Textiles"))
    response = log_in(client, member.email)
    assert response.status_code == 403
    page = text(response)
    assert "Votre inscription attend la validation de votre structure" in page
    assert "CSE Textiles n'a pas encore validé votre inscription." in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("member_home")).status_code == 302


def test_rejected_member_is_told_why(client):
    member = factories.MemberFactory(
        status=User.Status.REJECTED,
        status_reason="Vous ne faites pas partie de nos salariés.",
        structure=factories.StructureFactory(name="CSE Textiles"),
    )
    response = log_in(client, member.email)
    assert response.status_code == 403
    page = text(response)
    assert "Votre inscription a été refusée" in page
    assert "CSE Textiles n'a pas validé votre inscription." in page
    assert "Vous ne faites pas partie de nos salariés." in page
    assert "_auth_user_id" not in client.session


def test_rejection_reason_with_html_is_shown_as_text(client):
    member = factories.MemberFactory(status=User.Status.REJECTED, status_reason="<b>non</b>")
    page = log_in(client, member.email).content.decode()
    assert "<b>non</b>" not in page
    assert "&lt;b&gt;non&lt;/b&gt;" in page


@pytest.mark.parametrize("status", [User.Status.PENDING, User.Status.REJECTED, User.Status.APPROVED])
def test_wrong_password_gets_the_usual_message_and_no_status(client, status):
    member = factories.MemberFactory(status=status, status_reason="Motif secret")
    response = log_in(client, member.email, "pas le bon mot de passe")
    assert response.status_code == 200
    page = text(response)
    assert "Il y a un problème" in page
    for word in STATUS_WORDS:
        assert word not in page.split("<main", 1)[1].split("</main>", 1)[0], word
    assert "Motif secret" not in page


def main_without_tokens(page: str, email: str) -> str:
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    return CSRF_TOKEN.sub("", body).replace(email, "EMAIL")


def test_wrong_password_page_is_the_same_for_pending_and_unknown_addresses(client):
    pending = factories.PendingMemberFactory()
    first = text(log_in(client, pending.email, "mauvais mot de passe 1"))
    second = text(log_in(client, "inconnu@example.org", "mauvais mot de passe 1"))
    assert main_without_tokens(first, pending.email) == main_without_tokens(second, "inconnu@example.org")


def test_approved_member_logs_in(client):
    member = factories.MemberFactory()
    response = log_in(client, member.email)
    assert response.status_code == 302
    assert client.get(reverse("member_home")).status_code == 200


def test_a_freshly_registered_member_is_pending(client):
    """The registration of the wizard makes exactly the member this message is for."""
    walk_to_validation(client, ready_invitation())
    submit(client)
    response = log_in(client, ACCOUNT["email"], PASSWORD)
    assert response.status_code == 403
