"""Forms of the member's beneficiaries. They clean and check the structure's rules; the
services in ``beneficiaries.services`` write (and check again, under a lock)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import SignupBeneficiaryForm, signup_helper
from beneficiaries.models import Beneficiary
from beneficiaries.rules import Candidate, check_household
from structures.models import Structure


def add_rule_errors(form: forms.Form, error: ValidationError) -> None:
    """Put each error the services raise at its field, or at the top of the form."""
    for field, messages in (
        error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    ):
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class BeneficiaryForm(SignupBeneficiaryForm):
    """One beneficiary in the member area: the wizard's fields and checks (allowed kinds, the
    child age limit, no birth date in the future), plus at most one spouse or partner among the
    beneficiaries the member already has."""

    def __init__(
        self,
        *args,
        structure: Structure,
        others: list[Candidate],
        instance: Beneficiary | None = None,
        today: datetime.date | None = None,
        **kwargs,
    ):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "relationship": instance.relationship,
                "last_name": instance.last_name,
                "first_name": instance.first_name,
                "birth_date": instance.birth_date,
            }
        super().__init__(*args, structure=structure, today=today or timezone.localdate(), **kwargs)
        self.helper = signup_helper()
        self.instance = instance
        self.others = [other for other in others if instance is None or other.pk != instance.pk]
        self.fields["relationship"].help_text = self.relationship_help()

    def relationship_help(self) -> str:
        return _("Les liens que %(structure)s accepte comme bénéficiaires.") % {
            "structure": self.structure.name
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relationship") and "relationship" not in self.errors:
            # The one-partner rule is about the link chosen: say it at that field.
            for error in check_household([*self.others, self.candidate()]):
                self.add_error("relationship", error.message)
        return cleaned

    def candidate(self) -> Candidate:
        candidate = super().candidate()
        return Candidate(
            relationship=candidate.relationship,
            birth_date=candidate.birth_date,
            first_name=candidate.first_name,
            pk=self.instance.pk if self.instance else None,
        )
