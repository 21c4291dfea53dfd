"""A structure's rules about beneficiaries, shared by the signup wizard, the member area, the
admin and the import of a structure's members. Pure functions: they read, never write.

The rules are read from the member's structure through ``BeneficiaryRules``, the few things
this app needs to know of a structure: the beneficiaries app stays below the structures app.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from beneficiaries.models import PARTNER_RELATIONSHIPS, Proof, ProofKind, Relationship


class BeneficiaryRules(Protocol):
    """What a structure says about its members' beneficiaries (``structures.Structure``)."""

    name: str
    child_age_limit: int | None
    child_extended_age_limit: int | None

    def allows(self, relationship: str) -> bool: ...

    def age_reference_date(self, today: datetime.date) -> datetime.date: ...

    def proof_kinds_for(self, relationship: str) -> list[str]: ...

    def extended_age_proof_kinds(self) -> list[str]: ...

    def get_child_age_reference_display(self) -> str: ...


@dataclass(frozen=True)
class Candidate:
    """A beneficiary as typed, before it is saved (or an existing one, for the totals)."""

    relationship: str
    birth_date: datetime.date | None
    first_name: str = ""
    pk: int | None = None


@dataclass(frozen=True)
class RuleViolation:
    """One rule broken: the final French text, and the field it is about (``None``: the whole
    list). Plain text, not a ``ValidationError``: the text is already formatted, and a
    structure's name may hold a ``%`` that Django would try to format again."""

    message: str
    code: str
    field: str | None = None


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Age in whole years on ``day`` (a child born on 29 February ages on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def child_age_limits(structure: BeneficiaryRules) -> tuple[int | None, int | None]:
    """The base age limit of children and, when the structure extends it with a proof, the
    extended one (``None`` each: none)."""
    base = structure.child_age_limit
    if base is None:
        return None, None
    extended = structure.child_extended_age_limit
    if extended is None or extended <= base or not structure.extended_age_proof_kinds():
        return base, None
    return base, extended


def limit_reached_on(structure: BeneficiaryRules, birth_date: datetime.date, limit: int) -> datetime.date:
    """The first day on which a child born on ``birth_date`` counts as ``limit`` years old under
    the structure's way of computing ages (on the day, on 1 January, on 31 December)."""
    low, high = birth_date, birth_date + datetime.timedelta(days=366 * (limit + 1))
    while low < high:  # the age at the reference date never decreases as days go by
        middle = low + (high - low) // 2
        if age_on(birth_date, structure.age_reference_date(middle)) >= limit:
            high = middle
        else:
            low = middle + datetime.timedelta(days=1)
    return low


def check_beneficiary(
    structure: BeneficiaryRules, candidate: Candidate, *, today: datetime.date
) -> list[RuleViolation]:
    """Errors of one beneficiary under the structure's rules, keyed by field name in ``params``."""
    errors: list[RuleViolation] = []
    if not structure.allows(candidate.relationship):
        errors.append(
            RuleViolation(
                _("%(structure)s n'accepte pas ce lien comme bénéficiaire : choisissez un autre lien.")
                % {"structure": structure.name},
                code="relationship_not_allowed",
                field="relationship",
            )
        )
    if candidate.birth_date is not None:
        if candidate.birth_date > today:
            errors.append(
                RuleViolation(
                    _("La date de naissance doit être dans le passé."),
                    code="birth_date_future",
                    field="birth_date",
                )
            )
        elif candidate.relationship == Relationship.CHILD and structure.child_age_limit is not None:
            base, extended = child_age_limits(structure)
            limit = extended or base
            reference = structure.age_reference_date(today)
            if age_on(candidate.birth_date, reference) >= limit:
                message = (
                    _(
                        "Cet enfant a %(age)d ans au %(date)s : %(structure)s accepte les enfants "
                        "de moins de %(limit)d ans, et de moins de %(extended)d ans avec un justificatif."
                    )
                    if extended
                    else _(
                        "Cet enfant a %(age)d ans au %(date)s : %(structure)s accepte les enfants "
                        "de moins de %(limit)d ans."
                    )
                )
                errors.append(
                    RuleViolation(
                        message
                        % {
                            "age": age_on(candidate.birth_date, reference),
                            "date": reference.strftime("%d/%m/%Y"),
                            "structure": structure.name,
                            "limit": base,
                            "extended": extended or 0,
                        },
                        code="child_too_old",
                        field="birth_date",
                    )
                )
    return errors


def check_household(candidates: Iterable[Candidate]) -> list[RuleViolation]:
    """Errors of the whole list: at most one spouse or partner."""
    partners = [candidate for candidate in candidates if candidate.relationship in PARTNER_RELATIONSHIPS]
    if len(partners) > 1:
        return [
            RuleViolation(
                _("Vous ne pouvez déclarer qu'un seul conjoint, époux ou partenaire."),
                code="several_partners",
            )
        ]
    return []


def allowed_relationship_choices(structure: BeneficiaryRules) -> list[tuple[str, str]]:
    """The relationship choices the structure accepts, in the usual order."""
    return [(value, label) for value, label in Relationship.choices if structure.allows(value)]


def household_in_words(beneficiaries: Iterable, *, today: datetime.date) -> str:
    """A member's household as a manager reads it in the queue: "Conjoint·e, 2 enfants (4 et 9
    ans)", "1 enfant (moins d'un an)", "Aucun bénéficiaire". Each item has ``relationship`` and
    ``birth_date``; ages are today's."""
    partners, ages = [], []
    for beneficiary in beneficiaries:
        if beneficiary.relationship == Relationship.CHILD:
            ages.append(age_on(beneficiary.birth_date, today) if beneficiary.birth_date else None)
        else:
            partners.append(str(Relationship(beneficiary.relationship).label))
    parts = partners
    if ages:
        known = sorted(age for age in ages if age is not None)
        children = ngettext("%(count)d enfant", "%(count)d enfants", len(ages)) % {"count": len(ages)}
        if known:
            children += f" ({_ages_in_words(known)})"
        parts.append(children)
    return ", ".join(parts) or _("Aucun bénéficiaire")


def _ages_in_words(ages: list[int]) -> str:
    """[4, 9] → "4 et 9 ans"; [0, 4] → "moins d'un an et 4 ans"; [1] → "1 an"."""

    def join(items: list[str]) -> str:
        return (
            items[0]
            if len(items) == 1
            else _("%(first)s et %(last)s")
            % {
                "first": ", ".join(items[:-1]),
                "last": items[-1],
            }
        )

    if all(age >= 2 for age in ages):
        return _("%(ages)s ans") % {"ages": join([str(age) for age in ages])}
    words = [
        _("moins d'un an") if age < 1 else ngettext("%(age)d an", "%(age)d ans", age) % {"age": age}
        for age in ages
    ]
    return join(words)


def documents_in_words(kinds) -> str:
    """["livret_famille", "attestation_pacs"] → "livret de famille ou attestation de PACS"."""
    labels = [str(ProofKind(kind).label) for kind in kinds]
    labels = [label[0].lower() + label[1:] for label in labels]
    if len(labels) < 2:
        return "".join(labels)
    return _("%(first)s ou %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def needs_in_words(needs) -> list[dict[str, str]]:
    """What is to prove (``entitlement.proof_needs``) as the member reads it: each purpose with
    its documents in words."""
    return [
        {"purpose": str(Proof.Purpose(purpose).label), "documents": documents_in_words(kinds)}
        for purpose, kinds in needs
    ]


def rules_summary(structure: BeneficiaryRules) -> dict:
    """The structure's rules, said to the member before they fill anything in: who counts, the
    children's ages, and which proofs it asks."""
    base, extended = child_age_limits(structure)
    return {
        "allowed": [label for value, label in Relationship.choices if structure.allows(value)],
        "allows_children": structure.allows(Relationship.CHILD),
        "child_age_limit": base,
        "child_extended_age_limit": extended,
        "extended_documents": documents_in_words(structure.extended_age_proof_kinds()) if extended else "",
        "age_reference": structure.get_child_age_reference_display(),
        "proofs": [
            {"relationship": label, "documents": documents_in_words(structure.proof_kinds_for(value))}
            for value, label in Relationship.choices
            if structure.allows(value) and structure.proof_kinds_for(value)
        ],
    }
