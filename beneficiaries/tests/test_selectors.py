"""``entitled_on``: a member's beneficiaries that their structure's rules allow on a day (the
stand-in until the entitlement rules of issue 13)."""

import datetime

import pytest

from beneficiaries.models import Relationship
from beneficiaries.selectors import entitled_on
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, PendingMemberFactory, StructureFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 8)


@pytest.fixture
def structure():
    return StructureFactory(allowed_beneficiary_kinds=[Relationship.CHILD], child_age_limit=16)


def test_a_child_under_the_limit_is_entitled_and_one_over_it_is_not(structure):
    member = MemberFactory(structure=structure)
    young = BeneficiaryFactory(member=member, birth_date=datetime.date(2016, 3, 14))
    BeneficiaryFactory(member=member, birth_date=datetime.date(2008, 1, 1))
    assert entitled_on(member, DAY) == [young]


def test_a_relationship_the_structure_no_longer_accepts_is_not_entitled(structure):
    member = MemberFactory(structure=structure)
    BeneficiaryFactory(member=member, relationship=Relationship.SPOUSE, birth_date=datetime.date(1985, 1, 1))
    assert entitled_on(member, DAY) == []


def test_the_day_matters(structure):
    member = MemberFactory(structure=structure)
    child = BeneficiaryFactory(member=member, birth_date=datetime.date(2010, 6, 1))
    assert entitled_on(member, datetime.date(2026, 5, 31)) == [child]
    assert entitled_on(member, datetime.date(2026, 6, 1)) == []


def test_a_member_not_approved_has_none(structure):
    member = PendingMemberFactory(structure=structure)
    BeneficiaryFactory(member=member, birth_date=datetime.date(2016, 3, 14))
    assert entitled_on(member, DAY) == []
