"""A member whose structure has not validated the registration yet may reset the password, and
is then told that the account still awaits validation."""

import re

import pytest
from django.urls import reverse

from ceplus.tests import factories

NEW_PASSWORD = "Une phrase facile à retenir 42"


@pytest.mark.django_db
def test_pending_member_resets_and_is_told_the_account_awaits_validation(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    member = factories.PendingMemberFactory(email="attente@example.org", structure__name="CSE Textiles")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "attente@example.org"})
    assert len(mailoutbox) == 1
    path = re.search(r"http://testserver(/compte/password/reset/key/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(path)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    page = response.content.decode()
    assert "Votre mot de passe a été modifié" in page
    assert "Votre inscription attend encore la validation de CSE Textiles" in page
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert member.status == member.Status.PENDING

    login = client.post(reverse("account_login"), {"login": "attente@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 403
    assert "Votre inscription attend la validation de votre structure" in login.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_approved_member_is_not_told_anything_about_validation(client):
    from accounts.services import password_reset_url

    member = factories.MemberFactory(email="marie@example.org")
    form_url = client.get(password_reset_url(member).replace("http://testserver", ""))["Location"]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    page = response.content.decode()
    assert "Votre mot de passe a été modifié" in page
    assert "attend encore la validation" not in page
