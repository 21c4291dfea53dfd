"""One mailbox, one address: every email is stored and compared in one form (Unicode NFKC, the
domain in its IDNA ASCII form, lowercase), so a look-alike of an address ("ｅxample.org" with a
fullwidth letter, which mail servers deliver to example.org) is that very address."""

import pytest

from accounts.models import User, normalize_email
from ceplus.tests import factories
from structures.admin.forms import parse_pasted_addresses
from structures.imports import members_import
from structures.models import Invitation
from structures.services import invitations_send

# "ｅ" is U+FF45 FULLWIDTH LATIN SMALL LETTER E: NFKC, and IDNA's nameprep, make it "e".
LOOKALIKE = "Marie.Martin@\uff45xample.org"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Marie.Martin@Example.ORG ", "marie.martin@example.org"),
        (LOOKALIKE, "marie.martin@example.org"),
        ("\uff4darie\uff20example.org", "marie@example.org"),  # fullwidth "m" and "@"
        ("marie@\uff25XAMPLE\uff0eorg", "marie@example.org"),  # fullwidth "E" and "."
        ("zoe@Café.fr", "zoe@xn--caf-dma.fr"),
        ("l\u00e9a@example.org", "l\u00e9a@example.org"),
        ("le\u0301a@example.org", "l\u00e9a@example.org"),  # "é" typed as "e" + combining accent
    ],
)
def test_normalize_email_gives_one_form_per_mailbox(typed, stored):
    assert normalize_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Marie@Exa..mple.org", "marie@exa..mple.org"),
        ("Marie@" + "\uff21" * 70 + ".org", "marie@" + "a" * 70 + ".org"),
        ("pas-une-adresse", "pas-une-adresse"),
        ("", ""),
        (None, ""),
    ],
)
def test_an_address_whose_domain_cannot_be_encoded_is_left_to_the_validators(typed, stored):
    """NFKC and lowercase only: the validators then refuse it."""
    assert normalize_email(typed) == stored


@pytest.mark.django_db
def test_the_user_model_and_its_manager_store_and_find_the_normalised_form():
    user = User.objects.create_user(LOOKALIKE, "x", first_name="Marie", last_name="Martin")
    assert User.objects.get(pk=user.pk).email == "marie.martin@example.org"
    assert User.objects.get_by_natural_key(LOOKALIKE) == user

    user.email = "MARIE@\uff25xample.org"
    user.save()
    assert User.objects.get(pk=user.pk).email == "marie@example.org"


@pytest.mark.django_db
def test_an_import_line_with_a_lookalike_updates_the_existing_member():
    structure = factories.StructureFactory()
    member = factories.MemberFactory(structure=structure, email="marie.martin@example.org")
    text = f"nom;prénom;email\nMartin;Marie;{LOOKALIKE}\nDurand;Jean;Jean@\uff45xample.org\n"
    report = members_import(structure=structure, content=text.encode("utf-8"), acting_user=None)
    assert [line.number for line in report.updated] == [2]
    assert [line.number for line in report.created] == [3]
    assert User.objects.filter(structure=structure).count() == 2
    assert User.objects.get(email="marie.martin@example.org") == member
    assert User.objects.filter(email="jean@example.org").exists()


@pytest.mark.django_db
def test_personal_invitations_are_made_and_checked_on_the_normalised_form(
    django_capture_on_commit_callbacks, mailoutbox
):
    structure = factories.StructureFactory()
    factories.MemberFactory(structure=structure, email="marie.martin@example.org")
    valid, invalid = parse_pasted_addresses(
        f"{LOOKALIKE}, Claire <Claire@\uff45xample.org>\nclaire@example.org"
    )
    assert valid == ["marie.martin@example.org", "claire@example.org", "claire@example.org"]
    assert invalid == []

    with django_capture_on_commit_callbacks(execute=True):
        report = invitations_send(
            structure=structure, emails=[LOOKALIKE, "Claire@\uff45xample.org"], acting_user=None
        )
    assert report.members == ["marie.martin@example.org"]
    assert report.sent == ["claire@example.org"]
    assert list(Invitation.objects.filter(kind=Invitation.Kind.PERSONAL).values_list("email", flat=True)) == [
        "claire@example.org"
    ]
    assert [message.to for message in mailoutbox] == [["claire@example.org"]]

    with django_capture_on_commit_callbacks(execute=True):
        again = invitations_send(structure=structure, emails=["CLAIRE@\uff25xample.org"], acting_user=None)
    assert again.already_invited == ["claire@example.org"]
