"""Forms of beneficiaries (the wizard's step 3 and Mes bénéficiaires). They clean and check the
structure's rules; the services in ``beneficiaries.services`` write (and check again, under a
lock)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Beneficiary
from beneficiaries.rules import (
    BeneficiaryRules,
    Candidate,
    allowed_relationship_choices,
    check_beneficiary,
    check_household,
)
from ceplus.forms import LineField, question_helper

# What a French person types, and what a native date picker sends.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d/%m/%y"]
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


class DateInput(forms.DateInput):
    """A native date picker (it sends 2016-03-14); a date typed as 14/03/2016, where the picker
    is missing, is shown again in the picker's form."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            for date_format in DATE_INPUT_FORMATS:
                try:
                    return datetime.datetime.strptime(value.strip(), date_format).date().isoformat()
                except ValueError:
                    continue
        return super().format_value(value)


class BeneficiaryFieldsForm(forms.Form):
    """One beneficiary: lien, nom, prénom, date de naissance, checked against the structure's
    rules (allowed kinds, the child age limit, no birth date in the future). A row of the
    wizard's step 3, and the base of the member area's form."""

    relationship = forms.ChoiceField(
        label=gettext_lazy("Lien avec vous"),
        error_messages={
            "required": gettext_lazy("Choisissez le lien entre ce bénéficiaire et vous."),
            "invalid_choice": gettext_lazy("Choisissez un lien dans la liste."),
        },
    )
    last_name = LineField(
        label=gettext_lazy("Nom"),
        max_length=150,
        error_messages={"required": gettext_lazy("Saisissez le nom du bénéficiaire.")},
    )
    first_name = LineField(
        label=gettext_lazy("Prénom"),
        max_length=150,
        error_messages={"required": gettext_lazy("Saisissez le prénom du bénéficiaire.")},
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date de naissance"),
        help_text=gettext_lazy("Par exemple 14/03/2016"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        error_messages={
            "required": gettext_lazy("Saisissez la date de naissance, par exemple 14/03/2016."),
            "invalid": gettext_lazy("Saisissez une date de naissance réelle, par exemple 14/03/2016."),
        },
    )

    def __init__(self, *args, structure: BeneficiaryRules, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.today = today
        self.fields["relationship"].choices = [
            ("", _("Choisissez…")),
            *allowed_relationship_choices(structure),
        ]
        for field in self.fields.values():
            # Beneficiaries are not the person filling in the form: no autofill from their own data.
            field.widget.attrs["autocomplete"] = "off"
        self.fields["birth_date"].widget.attrs["max"] = today.isoformat()

    def clean_birth_date(self) -> datetime.date:
        value = self.cleaned_data["birth_date"]
        if value < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(
                gettext_lazy("Vérifiez l'année de naissance, par exemple 14/03/2016.")
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relationship"):
            for error in check_beneficiary(self.structure, self.candidate(), today=self.today):
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned

    def candidate(self) -> Candidate:
        return Candidate(
            relationship=self.cleaned_data.get("relationship", ""),
            birth_date=self.cleaned_data.get("birth_date"),
            first_name=self.cleaned_data.get("first_name", ""),
        )


def add_rule_errors(form: forms.Form, error: ValidationError) -> None:
    """Put each error the services raise at its field, or at the top of the form."""
    for field, messages in (
        error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    ):
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class BeneficiaryForm(BeneficiaryFieldsForm):
    """One beneficiary in the member area: the wizard's fields and checks (allowed kinds, the
    child age limit, no birth date in the future), plus at most one spouse or partner among the
    beneficiaries the member already has."""

    def __init__(
        self,
        *args,
        structure: BeneficiaryRules,
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
        self.helper = question_helper()
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
