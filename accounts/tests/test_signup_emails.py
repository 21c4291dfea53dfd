"""The emails of a registration, sent once it commits: "demande reçue" to the member, "nouvelle
inscription" to each manager (with the admin link) when the structure wants one email per
registration, and allauth's confirmation for an address given through the shared link."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import ACCOUNT, CHILD, ready_invitation, submit, walk_to_validation
from ceplus.tests import factories
from structures.models import Invitation, Structure

pytestmark = pytest.mark.django_db


def register(client, django_capture_on_commit_callbacks, invitation, **kwargs):
    walk_to_validation(client, invitation, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    return User.objects.get(email="marie.martin@example.org")


def by_recipient(mailoutbox) -> dict:
    messages: dict = {}
    for message in mailoutbox:
        messages.setdefault(message.to[0], []).append(message)
    return messages


def test_member_gets_demande_recue(client, django_capture_on_commit_callbacks, mailoutbox):
    structure = factories.StructureFactory(name="CSE Textiles")
    register(client, django_capture_on_commit_callbacks, ready_invitation(structure=structure))
    received = [m for m in by_recipient(mailoutbox)["marie.martin@example.org"] if "bien reçue" in m.subject]
    assert len(received) == 1
    message = received[0]
    assert message.subject == "Votre demande d'inscription auprès de CSE Textiles est bien reçue"
    assert "CSE Textiles doit maintenant la valider." in message.body
    # The member cannot log in yet: no login link until the structure validates.
    assert "/compte/login/" not in message.body
    assert "Bonjour Marie," in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "CE+ Services" in html


def test_each_manager_gets_the_new_registration_with_the_admin_link(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    structure = factories.StructureFactory(name="CSE Textiles", notification=Structure.Notification.EACH)
    first = factories.ManagerFactory(email="rh@textiles.example", structures=[structure])
    second = factories.ManagerFactory(email="cse@textiles.example", structures=[structure])
    factories.ManagerFactory(email="autre@ailleurs.example", structures=[factories.StructureFactory()])
    member = register(
        client,
        django_capture_on_commit_callbacks,
        ready_invitation(structure=structure),
        beneficiaries=[CHILD],
    )
    messages = by_recipient(mailoutbox)
    assert "autre@ailleurs.example" not in messages
    admin_url = "http://testserver" + reverse("admin:accounts_user_change", args=[member.pk])
    for manager in (first, second):
        (message,) = messages[manager.email]
        assert message.subject == "Nouvelle inscription à valider : Marie Martin (CSE Textiles)"
        assert admin_url in message.body
        assert "Bénéficiaires déclarés : 1" in message.body
        assert f'href="{admin_url}"' in message.alternatives[0][0]


def test_inactive_manager_gets_nothing(client, django_capture_on_commit_callbacks, mailoutbox):
    structure = factories.StructureFactory()
    factories.ManagerFactory(email="parti@textiles.example", is_active=False, structures=[structure])
    register(client, django_capture_on_commit_callbacks, ready_invitation(structure=structure))
    assert "parti@textiles.example" not in by_recipient(mailoutbox)


def test_daily_structures_get_no_email_per_registration(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    structure = factories.StructureFactory(notification=Structure.Notification.DAILY)
    factories.ManagerFactory(email="rh@textiles.example", structures=[structure])
    register(client, django_capture_on_commit_callbacks, ready_invitation(structure=structure))
    assert "rh@textiles.example" not in by_recipient(mailoutbox)


def test_shared_link_sends_allauths_confirmation(client, django_capture_on_commit_callbacks, mailoutbox):
    register(client, django_capture_on_commit_callbacks, ready_invitation())
    messages = by_recipient(mailoutbox)["marie.martin@example.org"]
    assert len(messages) == 2
    confirmation = next(m for m in messages if "/compte/confirm-email/" in m.body)
    link = next(word for word in confirmation.body.split() if "/compte/confirm-email/" in word)
    assert link.startswith("http://testserver/compte/confirm-email/")
    response = client.post(link.removeprefix("http://testserver"))
    assert response.status_code in (200, 302)
    assert EmailAddress.objects.get(email="marie.martin@example.org").verified


def test_personal_invitation_sends_no_confirmation(client, django_capture_on_commit_callbacks, mailoutbox):
    invitation = ready_invitation(kind=Invitation.Kind.PERSONAL, email="marie.martin@example.org")
    register(client, django_capture_on_commit_callbacks, invitation)
    messages = by_recipient(mailoutbox)["marie.martin@example.org"]
    assert len(messages) == 1
    assert "/compte/confirm-email/" not in messages[0].body


def test_names_with_html_and_line_breaks_stay_text_in_emails(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    structure = factories.StructureFactory(name="CSE Textiles")
    factories.ManagerFactory(email="rh@textiles.example", structures=[structure])
    invitation = ready_invitation(structure=structure)
    account = {
        **ACCOUNT,
        "first_name": "<script>alert(1)</script>",
        "last_name": "Martin\r\nBcc: x@evil.example",
    }
    register(client, django_capture_on_commit_callbacks, invitation, account=account)
    (message,) = by_recipient(mailoutbox)["rh@textiles.example"]
    assert "\n" not in message.subject
    assert "\r" not in message.subject
    assert message.to == ["rh@textiles.example"]
    assert message.bcc == []
    html = message.alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_nothing_is_sent_when_the_registration_fails(client, django_capture_on_commit_callbacks, mailoutbox):
    walk_to_validation(client, ready_invitation())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup_validation"), {})
    assert mailoutbox == []


def test_managers_link_opens_the_member_in_the_admin(client, django_capture_on_commit_callbacks, mailoutbox):
    structure = factories.StructureFactory(name="CSE Textiles")
    manager = factories.ManagerFactory(email="rh@textiles.example", structures=[structure])
    member = register(client, django_capture_on_commit_callbacks, ready_invitation(structure=structure))
    (message,) = by_recipient(mailoutbox)["rh@textiles.example"]
    link = next(word for word in message.body.split() if "/admin/" in word)
    client.force_login(manager)
    response = client.get(link.removeprefix("http://testserver"), follow=True)
    assert response.status_code == 200
    assert member.email in response.content.decode()
