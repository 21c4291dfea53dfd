"""Which of a member's beneficiaries are entitled on a given day.

A stand-in, in a module of its own so that it can be replaced whole: the structures' entitlement
rules (issue 13) will answer this question in full. Until then "entitled" means what
``beneficiaries.rules.check_beneficiary`` checks: the structure still accepts the relationship,
and a child is still under its age limit on that day.
"""

from __future__ import annotations

import datetime

from beneficiaries.models import Beneficiary
from beneficiaries.rules import Candidate, check_beneficiary


def entitled_on(member, day: datetime.date) -> list[Beneficiary]:
    """``member``'s beneficiaries that their structure's rules allow on ``day``, oldest first;
    none unless the member is approved (validated and active)."""
    if not member.is_approved_member:
        return []
    structure = member.structure
    beneficiaries = Beneficiary.objects.filter(member=member).order_by("birth_date", "pk")
    return [
        beneficiary
        for beneficiary in beneficiaries
        if not check_beneficiary(
            structure,
            Candidate(relationship=beneficiary.relationship, birth_date=beneficiary.birth_date),
            today=day,
        )
    ]
