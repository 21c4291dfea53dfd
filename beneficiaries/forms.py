"""Forms of beneficiaries (the wizard's step 3 and Mes bénéficiaires). They clean and check the
structure's rules; the services in ``beneficiaries.services`` write (and check again, under a
lock)."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import Beneficiary, ProofKind
from beneficiaries.proof_files import CheckedFile, ProofFileError, check_proof_file, too_large_message
from beneficiaries.rules import (
    BeneficiaryRules,
    Candidate,
    allowed_relationship_choices,
    check_beneficiary,
    check_household,
)
from ceplus.forms import LineField, question_helper

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
# A whole date typed or pasted in one field: 14/03/2016, 14.03.2016, 14-03-2016, 14 03 2016,
# or the ISO form 2016-03-14 (a native date picker's, and the form older pages sent).
WHOLE_DATE = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d+)$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DATE_PARTS = ("jour", "mois", "annee")
PROJECT_TEMPLATES = TemplatesSetting()


def split_date(text: str) -> tuple[str, str, str] | None:
    """(jour, mois, année) of a whole date written as text, or ``None``."""
    text = (text or "").strip()
    if match := ISO_DATE.match(text):
        year, month, day = match.groups()
        return day, month, year
    if match := WHOLE_DATE.match(text):
        return match.group(1), match.group(2), match.group(3)
    return None


class DatePartsWidget(forms.MultiWidget):
    """The GOV.UK date input: three text fields, jour, mois, année, for the digits a phone's
    keypad types (``inputmode="numeric"``), never a picker that scrolls back decades.

    The fields are ``<name>_jour``, ``<name>_mois``, ``<name>_annee``; a form that posts the
    date whole under ``<name>`` (a page rendered before these fields) is read as if it was
    pasted into the first one."""

    template_name = "includes/date_input.html"
    labels = (gettext_lazy("Jour"), gettext_lazy("Mois"), gettext_lazy("Année"))
    widths = ("2", "2", "4")

    def __init__(self, attrs=None):
        part = {"inputmode": "numeric", "spellcheck": "false"}
        super().__init__({name: forms.TextInput(attrs=dict(part)) for name in DATE_PARTS}, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [f"{value.day:02d}", f"{value.month:02d}", str(value.year)]
        if isinstance(value, str) and value:
            parts = split_date(value)
            return list(parts) if parts else [value, "", ""]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        if super().value_omitted_from_data(data, files, name) and name in data:
            parts = [data.get(name), "", ""]
        else:
            parts = super().value_from_datadict(data, files, name)
        day, month, year = (str(part or "") for part in parts)
        # A whole date in "Jour" (pasted, or typed without JavaScript) is shown back in its fields.
        if day and not month.strip() and not year.strip() and (whole := split_date(day)):
            return list(whole)
        return parts

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and name not in data

    def id_for_label(self, id_):
        # The error summary's link goes to the first field (GOV.UK).
        return f"{id_}_0" if id_ else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for part, label, width in zip(context["widget"]["subwidgets"], self.labels, self.widths, strict=True):
            part["label"] = label
            part_attrs = part["attrs"]
            invalid = part_attrs.get("aria-invalid") == "true"
            part_attrs["class"] = f"form-control date-input__input date-input__input--{width}" + (
                " is-invalid" if invalid else ""
            )
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's templates: the forms' default renderer sees only Django's and the apps'.
        return super()._render(template_name, context, PROJECT_TEMPLATES)


class BirthDateField(forms.MultiValueField):
    """A date of birth from the three fields of ``DatePartsWidget``, with GOV.UK's messages:
    which part is missing, "Cette date n'existe pas" for a 31/02. A whole date typed in the
    first field is understood."""

    widget = DatePartsWidget
    default_error_messages = {
        "required": gettext_lazy("Saisissez la date de naissance, par exemple 14 03 2016."),
        "not_digits": gettext_lazy("Saisissez la date de naissance en chiffres, par exemple 14 03 2016."),
        "year_digits": gettext_lazy("L'année de naissance doit comporter 4 chiffres, par exemple 2016."),
        "impossible": gettext_lazy(
            "Cette date n'existe pas : vérifiez le jour et le mois, par exemple 14 03 2016."
        ),
    }
    missing_messages = {
        ("jour",): gettext_lazy("La date de naissance doit comporter un jour."),
        ("mois",): gettext_lazy("La date de naissance doit comporter un mois."),
        ("annee",): gettext_lazy("La date de naissance doit comporter une année."),
        ("jour", "mois"): gettext_lazy("La date de naissance doit comporter un jour et un mois."),
        ("jour", "annee"): gettext_lazy("La date de naissance doit comporter un jour et une année."),
        ("mois", "annee"): gettext_lazy("La date de naissance doit comporter un mois et une année."),
    }

    def __init__(self, **kwargs):
        parts = [forms.CharField(required=False) for _name in DATE_PARTS]
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list) -> datetime.date | None:
        if not data_list or not any(data_list):
            return None
        day, month, year = (part.strip() for part in data_list)
        if day and not month and not year and (whole := split_date(day)):
            day, month, year = whole
        if not all(part.isascii() and part.isdecimal() for part in (day, month, year) if part):
            raise ValidationError(self.error_messages["not_digits"], code="invalid")
        missing = tuple(name for name, value in zip(DATE_PARTS, (day, month, year), strict=True) if not value)
        if missing:
            raise ValidationError(self.missing_messages[missing], code="incomplete")
        if len(year) != 4:
            raise ValidationError(self.error_messages["year_digits"], code="invalid")
        if len(day) > 2 or len(month) > 2:
            raise ValidationError(self.error_messages["impossible"], code="invalid")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(self.error_messages["impossible"], code="invalid") from None


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
    birth_date = BirthDateField(
        label=gettext_lazy("Date de naissance"),
        help_text=gettext_lazy("Par exemple 14 03 2016"),
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

    def clean_birth_date(self) -> datetime.date:
        value = self.cleaned_data["birth_date"]
        if value < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(
                gettext_lazy("Vérifiez l'année de naissance, par exemple 14 03 2016.")
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


class ProofForm(forms.Form):
    """A proof for one beneficiary: which document, and its file (a PDF or a phone's photo). The
    file is checked from its content (``beneficiaries.proof_files``); the service keeps it."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Quel document envoyez-vous ?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choisissez le document que vous envoyez."),
            "invalid_choice": gettext_lazy("Choisissez l'un des documents proposés."),
        },
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier du justificatif"),
        help_text=gettext_lazy(
            "Un PDF, ou une photo (JPEG ou PNG) bien lisible du document entier, de 5 Mo au plus. "
            "Sur un téléphone, vous pouvez prendre la photo maintenant."
        ),
        error_messages={
            "required": gettext_lazy("Choisissez le fichier du justificatif, ou prenez-le en photo."),
            "empty": gettext_lazy("Le fichier choisi est vide : choisissez un autre fichier."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(
        self,
        *args,
        needs: list[tuple[str, tuple[str, ...]]],
        too_large: bool = False,
        dropped_size: int | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The documents accepted for what is to prove (``entitlement.proof_needs``).
        kinds = [(kind, str(ProofKind(kind).label)) for _purpose, documents in needs for kind in documents]
        self.fields["kind"].choices = kinds
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
        if too_large:
            # The upload handler dropped the file: say why rather than "choose a file".
            self.fields["file"].error_messages["required"] = too_large_message(dropped_size)
        self.checked: CheckedFile | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_proof_file(upload.name, upload.read())
        except ProofFileError as error:
            raise ValidationError(str(error), code="proof_file") from None
        return upload


class OptionalProofForm(ProofForm):
    """A proof offered but not required (the signup wizard: "je l'enverrai plus tard"): nothing
    chosen is fine; a file needs its document, and a document its file (unless one was sent
    already, ``has_file``)."""

    def __init__(self, *args, has_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False
        self.fields["file"].required = False
        self.fields["kind"].initial = None
        self.has_file = has_file
        self.dropped_size = kwargs.get("dropped_size")
        self.too_large = kwargs.get("too_large", False)

    def clean_file(self):
        if not self.cleaned_data.get("file"):
            return None
        return super().clean_file()

    def clean(self):
        cleaned = super().clean()
        if self.too_large:
            self.add_error("file", too_large_message(self.dropped_size))
        elif cleaned.get("file") and not cleaned.get("kind") and "kind" not in self.errors:
            self.add_error("kind", _("Choisissez le document que vous envoyez."))
        elif (
            cleaned.get("kind")
            and not cleaned.get("file")
            and not self.has_file
            and "file" not in self.errors
        ):
            self.add_error(
                "file",
                _("Choisissez le fichier du justificatif, ou cliquez sur « Je les enverrai plus tard »."),
            )
        return cleaned
