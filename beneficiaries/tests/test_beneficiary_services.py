"""The services check the rules themselves, whoever calls them (two tabs, a double click)."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from beneficiaries.models import Beneficiary, BeneficiaryChange, Relationship
from beneficiaries.services import beneficiary_add, beneficiary_remove, beneficiary_update
from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, StructureFactory

pytestmark = pytest.mark.django_db


def add(member, **overrides):
    data = {
        "relationship": Relationship.CHILD,
        "last_name": "Martin",
        "first_name": "Léa",
        "birth_date": datetime.date(2016, 3, 14),
        "acting_user": member,
    }
    data.update(overrides)
    return beneficiary_add(member=member, **data)


def test_a_second_partner_is_refused_even_past_the_form():
    member = MemberFactory()
    add(member, relationship=Relationship.SPOUSE, birth_date=datetime.date(1980, 1, 1))
    with pytest.raises(ValidationError) as raised:
        add(member, relationship=Relationship.PACS, birth_date=datetime.date(1981, 1, 1))
    assert [error.code for error in raised.value.error_dict[NON_FIELD_ERRORS]] == ["several_partners"]
    assert Beneficiary.objects.count() == 1
    assert BeneficiaryChange.objects.count() == 1


def test_a_refused_kind_raises_and_writes_nothing():
    member = MemberFactory(structure=StructureFactory(allowed_beneficiary_kinds=[Relationship.CHILD]))
    with pytest.raises(ValidationError):
        add(member, relationship=Relationship.CONCUBIN, birth_date=datetime.date(1980, 1, 1))
    assert not Beneficiary.objects.exists()
    assert not BeneficiaryChange.objects.exists()


def test_an_update_is_checked_too():
    member = MemberFactory(structure=StructureFactory(child_age_limit=18))
    beneficiary = BeneficiaryFactory(member=member)
    with pytest.raises(ValidationError):
        beneficiary_update(
            beneficiary=beneficiary,
            relationship=Relationship.CHILD,
            last_name="Martin",
            first_name="Léa",
            birth_date=datetime.date(1990, 1, 1),
            acting_user=member,
        )
    beneficiary.refresh_from_db()
    assert beneficiary.birth_date == datetime.date(2016, 3, 14)


def test_removing_twice_records_once():
    member = MemberFactory()
    beneficiary = BeneficiaryFactory(member=member)
    beneficiary_remove(beneficiary=beneficiary, acting_user=member)
    beneficiary_remove(beneficiary=beneficiary, acting_user=member)
    assert BeneficiaryChange.objects.filter(action=BeneficiaryChange.Action.REMOVED).count() == 1
