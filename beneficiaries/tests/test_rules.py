"""A structure's rules about beneficiaries: the links it accepts, one partner at most, the
child age limit computed at the structure's reference date, no birth date in the future."""

import datetime

import pytest

from beneficiaries.models import Relationship
from beneficiaries.rules import (
    Candidate,
    age_on,
    allowed_relationship_choices,
    check_beneficiary,
    check_household,
)
from structures.models import Structure

TODAY = datetime.date(2026, 6, 15)


def structure(**kwargs) -> Structure:
    """An unsaved structure: the rules only read it."""
    return Structure(name=kwargs.pop("name", "CSE Textiles"), **kwargs)


def codes(errors) -> list[str]:
    return [error.code for error in errors]


def test_age_counts_whole_years():
    assert age_on(datetime.date(2016, 6, 15), TODAY) == 10
    assert age_on(datetime.date(2016, 6, 16), TODAY) == 9


def test_child_born_on_29_february_ages_on_1_march():
    born = datetime.date(2008, 2, 29)
    assert age_on(born, datetime.date(2026, 2, 28)) == 17
    assert age_on(born, datetime.date(2026, 3, 1)) == 18


def test_every_link_is_accepted_by_default():
    assert (
        check_beneficiary(
            structure(), Candidate(Relationship.CONJOINT, datetime.date(1980, 1, 1)), today=TODAY
        )
        == []
    )
    assert [value for value, _ in allowed_relationship_choices(structure())] == list(Relationship.values)


def test_a_link_the_structure_does_not_accept_is_refused_at_that_field():
    rules = structure(allowed_beneficiary_kinds=[Relationship.CHILD])
    errors = check_beneficiary(
        rules, Candidate(Relationship.CONCUBIN, datetime.date(1980, 1, 1)), today=TODAY
    )
    assert codes(errors) == ["relationship_not_allowed"]
    assert errors[0].field == "relationship"
    assert errors[0].message == (
        "CSE Textiles n'accepte pas ce lien comme bénéficiaire : choisissez un autre lien."
    )
    assert allowed_relationship_choices(rules) == [("child", "Enfant à charge")]


def test_birth_date_in_the_future_is_refused():
    errors = check_beneficiary(
        structure(), Candidate(Relationship.CHILD, TODAY + datetime.timedelta(days=1)), today=TODAY
    )
    assert codes(errors) == ["birth_date_future"]
    assert errors[0].field == "birth_date"


def test_born_today_is_fine():
    assert (
        check_beneficiary(structure(child_age_limit=20), Candidate(Relationship.CHILD, TODAY), today=TODAY)
        == []
    )


def test_no_age_limit_means_any_age():
    assert (
        check_beneficiary(structure(), Candidate(Relationship.CHILD, datetime.date(1990, 1, 1)), today=TODAY)
        == []
    )


@pytest.mark.parametrize(
    ("reference", "birth_date", "refused"),
    [
        (Structure.AgeReference.TODAY, datetime.date(2006, 6, 16), False),  # 19 today
        (Structure.AgeReference.TODAY, datetime.date(2006, 6, 15), True),  # 20 today
        (Structure.AgeReference.JANUARY_1, datetime.date(2006, 6, 15), False),  # 19 on 1 January
        (Structure.AgeReference.JANUARY_1, datetime.date(2006, 1, 1), True),  # 20 on 1 January
        (Structure.AgeReference.DECEMBER_31, datetime.date(2007, 1, 1), False),  # 19 on 31 December
        (Structure.AgeReference.DECEMBER_31, datetime.date(2006, 12, 31), True),  # 20 on 31 December
    ],
)
def test_child_age_limit_at_the_reference_date(reference, birth_date, refused):
    rules = structure(child_age_limit=20, child_age_reference=reference)
    errors = check_beneficiary(rules, Candidate(Relationship.CHILD, birth_date), today=TODAY)
    assert codes(errors) == (["child_too_old"] if refused else [])


def test_age_limit_message_says_the_age_date_and_limit():
    rules = structure(child_age_limit=16, child_age_reference=Structure.AgeReference.DECEMBER_31)
    (error,) = check_beneficiary(rules, Candidate(Relationship.CHILD, datetime.date(2008, 3, 1)), today=TODAY)
    assert error.message == (
        "Cet enfant a 18 ans au 31/12/2026 : CSE Textiles accepte les enfants de moins de 16 ans."
    )
    assert error.field == "birth_date"


def test_age_limit_is_for_children_only():
    rules = structure(child_age_limit=20)
    assert (
        check_beneficiary(rules, Candidate(Relationship.SPOUSE, datetime.date(1970, 1, 1)), today=TODAY) == []
    )


def test_messages_are_final_even_with_a_percent_sign_in_the_structures_name():
    rules = structure(name="CSE 100% Textiles", allowed_beneficiary_kinds=[])
    (error,) = check_beneficiary(rules, Candidate(Relationship.CHILD, datetime.date(2016, 1, 1)), today=TODAY)
    assert error.message.startswith("CSE 100% Textiles n'accepte pas")


def test_unknown_birth_date_checks_only_the_link():
    rules = structure(child_age_limit=20, allowed_beneficiary_kinds=[Relationship.CHILD])
    assert check_beneficiary(rules, Candidate(Relationship.CHILD, None), today=TODAY) == []


@pytest.mark.parametrize("partner", sorted(Relationship.values))
def test_one_partner_at_most(partner):
    household = [Candidate(Relationship.SPOUSE, None), Candidate(partner, None)]
    expected = [] if partner == Relationship.CHILD else ["several_partners"]
    assert codes(check_household(household)) == expected


def test_many_children_and_one_partner_are_fine():
    household = [Candidate(Relationship.PACS, None)] + [Candidate(Relationship.CHILD, None)] * 6
    assert check_household(household) == []


def test_empty_household_is_fine():
    assert check_household([]) == []


def test_a_percent_sign_in_the_structure_name_is_shown_as_typed(db):
    """The rules' texts are final: a "%" in a structure's name is not formatted again."""
    from ceplus.tests.factories import StructureFactory

    structure = StructureFactory(name="CSE 100% Alsace", allowed_beneficiary_kinds=["child"])
    (violation,) = check_beneficiary(
        structure, Candidate(relationship="spouse", birth_date=None), today=datetime.date(2026, 1, 1)
    )
    assert "CSE 100% Alsace" in violation.message
