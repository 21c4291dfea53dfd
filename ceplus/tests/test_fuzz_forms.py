"""Random Unicode, huge values and control characters thrown at every form: never a 500, never a
partial write.

Each form's field names are read from the page itself, so a new field is fuzzed without
touching this file; a few extra fields (``structure``, ``status``, ``is_staff``) ride along.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Address, Consent, User
from beneficiaries.models import Beneficiary
from ceplus.tests.factories import (
    PASSWORD,
    MemberFactory,
)
from structures.models import MembershipDecision

FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)
NOT_FUZZED = {"csrfmiddlewaretoken"}
EXTRA_FIELDS = ["structure", "status", "is_staff", "is_superuser", "groups"]

nasty_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "<script>alert(1)</script>",
            "Robert'); DROP TABLE accounts_user;--",
            "a\r\nBcc: victime@example.org",
            "\x00",
            "0" * 10_000,
            "é" * 5_000,
            "31/02/2020",
            "9999-99-99",
            "-1",
            "1e309",
            "+33 6 12 34 56 78",
            "🙂" * 100,
        ]
    ),
)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def field_names(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name not in NOT_FUZZED}) + EXTRA_FIELDS


COUNTED = (User, Address, Beneficiary, Consent, MembershipDecision)


def row_counts(models=COUNTED) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)


def fuzz_post(client, path: str, data_strategy, counted=COUNTED, complete_write=None) -> None:
    """POST random data to the form at ``path``: never a 5xx, and no row written, or, when
    ``complete_write`` is given, only writes it accepts as whole."""
    response = client.get(path, follow=True)
    assert response.status_code < 500
    names = field_names(response.text)
    target = response.redirect_chain[-1][0] if response.redirect_chain else path

    @FUZZ
    @given(data=st.fixed_dictionaries({name: data_strategy for name in names}))
    def post(data):
        before = row_counts(counted)
        response = client.post(target, data)
        assert response.status_code < 500, (target, data)
        if complete_write is None:
            assert row_counts(counted) == before, (target, data)
        else:
            complete_write()

    post()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/compte/login/", "/compte/password/reset/", "/inscription/"])
def test_public_forms_survive_random_input(client, path):
    fuzz_post(client, path, nasty_text)


@pytest.mark.django_db
@given(token=nasty_text)
@FUZZ
def test_invitation_links_survive_random_tokens(client, token):
    from urllib.parse import quote

    response = client.get(f"/inscription/{quote(token, safe='')}/")
    assert response.status_code in (200, 302, 404, 410)


@pytest.mark.django_db
def test_member_forms_survive_random_input(client):
    member = MemberFactory()
    client.login(username=member.email, password=PASSWORD)
    home = client.get("/espace/")
    paths = sorted(set(re.findall(r'href="(/espace/[^"#?]*)"', home.text)))
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and "<form" in response.text and "download" not in path:
            # Random text can be a valid address abroad: the member's own address and
            # beneficiaries may be written; accounts, consents and decisions never.
            fuzz_post(client, path, nasty_text, counted=(User, Consent, MembershipDecision))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "step",
    ["signup_account", "signup_address", "signup_beneficiaries", "signup_validation"],
)
def test_every_wizard_step_survives_random_input(client, step):
    """Each step of the signup wizard, reached with the earlier steps done."""
    from django.urls import reverse

    from accounts.tests.signup_helpers import ready_invitation, walk_to_validation

    invitation = ready_invitation()
    walk_to_validation(client, invitation)

    def registration_whole_or_nothing():
        # Any non-empty value ticks a checkbox: the final step may register, but then wholly,
        # pending, in the invitation's structure, without any privilege.
        for user in User.objects.all():
            assert user.status == User.Status.PENDING
            assert user.structure_id == invitation.structure_id
            assert not user.is_staff
            assert not user.is_superuser
            assert not user.groups.exists()
            assert Address.objects.filter(user=user).exists()
            assert Consent.objects.filter(user=user).count() == 3
            assert MembershipDecision.objects.filter(member=user).count() == 1

    fuzz_post(
        client,
        reverse(step),
        nasty_text,
        complete_write=registration_whole_or_nothing if step == "signup_validation" else None,
    )


@pytest.mark.django_db
def test_the_new_password_form_survives_random_input(client):
    """The page the reset email leads to (its key valid)."""
    from accounts.services import password_reset_url

    member = MemberFactory()
    fuzz_post(client, password_reset_url(member).removeprefix("http://testserver"), nasty_text)
