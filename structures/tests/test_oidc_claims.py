"""What the tokens say, scope by scope: a stable ``sub`` that is not the database id, the email
and the names, the structure and the status (``membership``), the beneficiaries entitled today
(``beneficiaries``), and only what was granted."""

import datetime

import pytest
import time_machine

from beneficiaries.models import Relationship
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, StaffFactory, StructureFactory
from structures.partners.adapter import PartnerServicesAdapter
from structures.tests.oidc_helpers import register_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    structure = StructureFactory(
        name="CSE Textiles",
        allowed_beneficiary_kinds=[Relationship.CHILD, Relationship.SPOUSE],
        child_age_limit=20,
    )
    member = MemberFactory(
        structure=structure, first_name="Marie", last_name="Martin", email="marie@example.org"
    )
    BeneficiaryFactory(
        member=member,
        relationship=Relationship.SPOUSE,
        first_name="Paul",
        birth_date=datetime.date(1985, 5, 2),
    )
    BeneficiaryFactory(member=member, first_name="Léa", birth_date=datetime.date(2016, 3, 14))
    BeneficiaryFactory(member=member, first_name="Tom", birth_date=datetime.date(2000, 1, 1))  # 20 or more
    return member


def claims(user, scopes):
    service, _secret = register_service()
    return PartnerServicesAdapter().get_claims("userinfo", user, service.client, scopes)


def test_openid_alone_says_only_who(member):
    assert claims(member, ["openid"]) == {"sub": str(member.public_id)}


def test_the_sub_is_stable_and_not_the_database_id(member):
    adapter = PartnerServicesAdapter()
    service, _secret = register_service()
    sub = adapter.get_user_sub(service.client, member)
    member.email = "marie.martin@example.org"
    member.save()
    assert adapter.get_user_sub(service.client, member) == sub != str(member.pk)
    assert adapter.get_user_by_sub(service.client, sub) == member
    assert adapter.get_user_by_sub(service.client, str(member.pk)) is None


def test_email_and_profile(member):
    assert claims(member, ["openid", "email", "profile"]) == {
        "sub": str(member.public_id),
        "email": "marie@example.org",
        "email_verified": False,
        "given_name": "Marie",
        "family_name": "Martin",
        "name": "Marie Martin",
    }


def test_membership_says_the_structure_and_the_status(member):
    assert claims(member, ["openid", "membership"])["membership"] == {
        "structure": {"id": member.structure_id, "name": "CSE Textiles"},
        "status": "approved",
    }
    assert "beneficiaries" not in claims(member, ["openid", "membership"])


@time_machine.travel(datetime.datetime(2026, 12, 8, 12, 0, tzinfo=datetime.UTC))
def test_beneficiaries_says_those_entitled_today_only_when_granted(member):
    assert claims(member, ["openid", "beneficiaries"])["beneficiaries"] == [
        {"given_name": "Paul", "kind": "spouse", "birth_year": 1985},
        {"given_name": "Léa", "kind": "child", "birth_year": 2016},
    ]
    assert "beneficiaries" not in claims(member, ["openid", "email", "profile", "membership"])


def test_staff_have_no_membership_nor_beneficiaries(db):
    staff = StaffFactory()
    found = claims(staff, ["openid", "membership", "beneficiaries"])
    assert "membership" not in found
    assert found["beneficiaries"] == []
