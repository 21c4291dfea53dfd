"""A member told at CONNEXION that their registration waits or was refused gets their
structure's contact, with what the structure set of it."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tests.signup_helpers import text
from ceplus.tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [User.Status.PENDING, User.Status.REJECTED])
def test_the_structures_contact_is_given(client, status):
    structure = factories.StructureFactory(
        name="CSE Textiles", contact_email="cse@textiles.example", contact_hours="le mardi de 9 h à 12 h"
    )
    member = factories.MemberFactory(structure=structure, status=status)
    page = text(
        client.post(reverse("account_login"), {"login": member.email, "password": factories.PASSWORD})
    )
    assert "Une question ? Contactez CSE Textiles :" in page
    assert "mailto:cse@textiles.example" in page
    assert "le mardi de 9 h à 12 h" in page
    assert "Téléphone" not in page


def test_without_a_contact_the_page_says_to_ask_the_structure(client):
    member = factories.MemberFactory(status=User.Status.REJECTED)
    page = text(
        client.post(reverse("account_login"), {"login": member.email, "password": factories.PASSWORD})
    )
    assert "Une question ?" not in page
    assert "contactez votre entreprise ou votre CSE" in page
