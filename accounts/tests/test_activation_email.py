"""The "activez votre compte sur le nouveau site" email: staff send it to imported members (a
bulk admin action); its link lets the member choose a password, then log in."""

import re

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from accounts.admin_actions import send_activation_email
from accounts.models import User
from accounts.services import ActivationNotNeeded, activation_email_send
from ceplus.models import OutgoingEmail
from ceplus.tests import factories

NEW_PASSWORD = "Une phrase facile à retenir 42"


def imported(**kwargs) -> User:
    member = factories.MemberFactory(**kwargs)
    member.set_unusable_password()
    member.save()
    return member


def run_action(user, queryset):
    request = RequestFactory().post("/admin/accounts/user/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    send_activation_email(admin.site._registry[User], request, queryset)
    return [str(message) for message in request._messages]


@pytest.mark.django_db
def test_the_email_carries_a_link_that_activates_the_account(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    member = imported(email="marie@example.org", first_name="Marie", structure__name="CSE Textiles")
    staff = factories.StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        activation_email_send(user=member, acting_user=staff)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["marie@example.org"]
    assert message.subject == "Activez votre compte sur le nouveau site CE+ Services"
    assert "Bonjour Marie," in message.body
    assert "CSE Textiles" in message.body
    assert "3 heures" in message.body
    assert "J'ai oublié mon mot de passe" in message.body
    html = dict((mimetype, content) for content, mimetype in message.alternatives)["text/html"]
    assert "ACTIVER MON COMPTE" in html
    link = re.search(r"http://testserver(/compte/password/reset/key/\S+/)", message.body).group(1)

    form_url = client.get(link)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    login = client.post(reverse("account_login"), {"login": "marie@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.django_db
def test_the_service_refuses_an_account_that_needs_no_activation():
    staff = factories.StaffFactory()
    with pytest.raises(ActivationNotNeeded):
        activation_email_send(user=factories.MemberFactory(), acting_user=staff)
    pending = factories.PendingMemberFactory()
    pending.set_unusable_password()
    with pytest.raises(ActivationNotNeeded):
        activation_email_send(user=pending, acting_user=staff)
    assert not OutgoingEmail.objects.exists()


@pytest.mark.django_db
def test_the_action_emails_only_members_without_a_password(mailoutbox, django_capture_on_commit_callbacks):
    staff = factories.StaffFactory()
    first = imported(email="un@example.org")
    second = imported(email="deux@example.org")
    activated = factories.MemberFactory(email="actif@example.org")
    gone = imported(email="parti@example.org", is_active=False, status=User.Status.DEACTIVATED)
    with django_capture_on_commit_callbacks(execute=True):
        notices = run_action(
            staff, User.objects.filter(pk__in=[first.pk, second.pk, activated.pk, gone.pk, staff.pk])
        )
    assert sorted(message.to[0] for message in mailoutbox) == ["deux@example.org", "un@example.org"]
    assert "2 emails d'activation envoyés." in notices
    assert any(notice.startswith("3 comptes ignorés") for notice in notices)


@pytest.mark.django_db
def test_a_manager_reaches_only_the_members_of_their_structures(
    mailoutbox, django_capture_on_commit_callbacks
):
    mine = factories.StructureFactory(name="CSE A")
    theirs = factories.StructureFactory(name="CSE B")
    manager = factories.ManagerFactory(structures=[mine])
    own = imported(email="a@example.org", structure=mine)
    other = imported(email="b@example.org", structure=theirs)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(manager, User.objects.filter(pk__in=[own.pk, other.pk]))
    assert [message.to for message in mailoutbox] == [["a@example.org"]]


@pytest.mark.django_db
def test_the_action_is_a_french_admin_action():
    assert (
        send_activation_email.short_description
        == "Envoyer l'email « Activez votre compte sur le nouveau site »"
    )
    assert send_activation_email.allowed_permissions == ["change"]
