"""Bad input of any kind on the wizard's steps: random Unicode, huge values, control characters,
HTML. A French message or the value kept as text, never a 500, never a partial account (S7)."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import (
    ACCOUNT,
    ADDRESS,
    CHILD,
    ready_invitation,
    start,
    submit,
    text,
    walk_to_validation,
)
from ceplus.tests import factories
from ceplus.tests.test_fuzz_forms import fuzz_post, nasty_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation():
    return ready_invitation(structure=factories.StructureFactory(child_age_limit=20))


def test_step_1_survives_random_input(client, invitation):
    start(client, invitation)
    fuzz_post(client, reverse("signup_account"), nasty_text)


def test_step_2_survives_random_input(client, invitation):
    start(client, invitation)
    client.post(reverse("signup_account"), ACCOUNT)
    fuzz_post(client, reverse("signup_address"), nasty_text)


def test_step_3_survives_random_input(client, invitation):
    start(client, invitation)
    client.post(reverse("signup_account"), ACCOUNT)
    client.post(reverse("signup_address"), ADDRESS)
    client.post(reverse("signup_beneficiaries"), {"beneficiaires-TOTAL_FORMS": "2", "nav": "add"})
    fuzz_post(client, reverse("signup_beneficiaries"), nasty_text)


def test_html_in_names_is_escaped_on_the_summary_and_in_the_admin(client, invitation):
    script = "<script>alert(1)</script>"
    account = {**ACCOUNT, "first_name": script, "last_name": "O'Hara <b>"}
    walk_to_validation(client, invitation, account=account, beneficiaries=[{**CHILD, "first_name": script}])
    page = client.get(reverse("signup_validation")).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    submit(client)
    member = User.objects.get()
    assert member.first_name == script

    staff = factories.StaffFactory()
    client.force_login(staff)
    response = client.get(reverse("admin:accounts_user_change", args=[member.pk]), follow=True)
    assert response.status_code == 200
    admin_page = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in admin_page
    assert script not in admin_page
    listing = client.get(
        reverse("admin:structures_member_changelist"), {"status": "pending"}
    ).content.decode()
    assert "&lt;script&gt;" in listing
    assert script not in listing


def test_control_characters_never_reach_the_account(client, invitation):
    account = {**ACCOUNT, "first_name": "Ma\x00rie\x1b", "last_name": "Mar\u0085tin"}
    address = {**ADDRESS, "line1": "12 rue\r\ndes Vosges", "city": "Mul\thouse"}
    walk_to_validation(client, invitation, account=account, address=address)
    submit(client)
    member = User.objects.get()
    assert (member.first_name, member.last_name) == ("Ma rie", "Mar tin")
    assert (member.address.line1, member.address.city) == ("12 rue des Vosges", "Mul house")


def test_huge_values_on_every_step_get_french_messages(client, invitation):
    start(client, invitation)
    huge = "x" * 200_000
    response = client.post(
        reverse("signup_account"), {**ACCOUNT, "first_name": huge, "password1": huge, "password2": huge}
    )
    assert response.status_code == 200
    assert "Assurez-vous que cette valeur comporte au plus" in text(response)
    client.post(reverse("signup_account"), ACCOUNT)
    response = client.post(reverse("signup_address"), {**ADDRESS, "city": huge})
    assert "Assurez-vous que cette valeur comporte au plus 100 caractères" in text(response)
    assert not User.objects.exists()


def test_validation_posted_with_random_values_makes_at_most_one_account(client, invitation):
    walk_to_validation(client, invitation)
    for value in ("", "0", "false", "<script>", "x" * 10_000, "\x00"):
        response = client.post(
            reverse("signup_validation"),
            {"consent_cgu": value, "consent_cgv": value, "consent_reglement": value, "status": "approved"},
        )
        assert response.status_code < 500
    assert User.objects.count() <= 1
    assert not User.objects.exclude(status=User.Status.PENDING).exists()
