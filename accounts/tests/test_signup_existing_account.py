"""An address that already has an account is never revealed on screen (anti-enumeration): the
same confirmation page, nothing created, and the owner gets allauth's "account already exists"
email instead."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import ACCOUNT, ready_invitation, submit, text, walk_to_validation
from ceplus.tests import factories
from structures.models import Invitation

pytestmark = pytest.mark.django_db


def test_existing_address_gets_the_same_page_and_an_email(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    owner = factories.MemberFactory(email="marie.martin@example.org")
    manager = factories.ManagerFactory(email="rh@textiles.example")
    invitation = ready_invitation()
    invitation.structure.managers.add(manager)
    walk_to_validation(client, invitation, account={**ACCOUNT, "email": "Marie.Martin@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    assert response["Location"] == reverse("signup_sent")
    page = text(client.get(response["Location"]))
    assert "Félicitations, votre demande a été envoyée" in page
    assert "existe déjà" not in page

    assert User.objects.filter(email="marie.martin@example.org").get() == owner
    structure = owner.structure
    owner.refresh_from_db()
    assert owner.structure == structure
    assert owner.last_name.startswith("Durand")
    assert [message.to for message in mailoutbox] == [["marie.martin@example.org"]]
    (message,) = mailoutbox
    assert "http://testserver/compte/password/reset/" in message.body
    assert "bien reçue" not in message.subject


def test_page_is_identical_for_a_new_and_an_existing_address(client):
    factories.MemberFactory(email="deja@example.org")
    invitation = ready_invitation()
    pages = []
    for email in ("deja@example.org", "nouvelle@example.org"):
        client.cookies.clear()
        walk_to_validation(client, invitation, account={**ACCOUNT, "email": email})
        response = submit(client)
        page = client.get(response["Location"]).content.decode()
        pages.append(page.replace(email, "EMAIL"))
    assert pages[0] == pages[1]


def test_personal_invitation_to_an_existing_address_is_not_used_up(client):
    factories.MemberFactory(email="marie.martin@example.org")
    invitation = ready_invitation(kind=Invitation.Kind.PERSONAL, email="marie.martin@example.org")
    walk_to_validation(client, invitation)
    submit(client)
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert User.objects.count() == 1
