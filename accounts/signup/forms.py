"""The signup wizard's forms, one per step. Each cleans and normalises what the person typed
into the step's details (``accounts.signup.state``); ``accounts.signup.services`` writes them
all at the end."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.auth_forms import PASSWORD_MAX_LENGTH
from accounts.forms import AccountFieldsForm, AddressForm, consent_fields
from accounts.models import User, normalize_email
from accounts.signup.state import AccountDetails, AddressDetails
from beneficiaries.forms import BeneficiaryFieldsForm
from beneficiaries.rules import BeneficiaryRules, check_household
from beneficiaries.services import BeneficiaryDetails
from ceplus.forms import question_helper
from ceplus.models import LegalDocument
from ceplus.text import fold

TOKEN_PATTERN = re.compile(r"(?:/inscription/)?([A-Za-z0-9_-]{20,64})/?\s*$")
MAX_BENEFICIARIES = 15


class InvitationCodeForm(forms.Form):
    """CRÉER UN COMPTE: a pasted invitation link, or the code at its end."""

    link = forms.CharField(
        label=_("Lien ou code d'inscription"),
        help_text=_("Collez le lien reçu par email, par exemple https://…/inscription/AbC123…/"),
        max_length=500,
        error_messages={"required": _("Collez le lien d'inscription reçu par email.")},
    )

    def clean_link(self) -> str:
        match = TOKEN_PATTERN.search(self.cleaned_data["link"].strip())
        if match is None:
            raise forms.ValidationError(
                _("Ce lien n'est pas un lien d'inscription : copiez l'adresse entière depuis l'email reçu.")
            )
        return match.group(1)


def _letters(value: str) -> str:
    return "".join(char for char in fold(value) if char.isalnum())


def is_personal_password(password: str, person: User) -> bool:
    """The password is the person's name or email under another spelling ("marie.martin",
    "MartinMarie"), which Django's similarity check lets through when the email is long."""
    typed = _letters(password)
    first, last = _letters(person.first_name), _letters(person.last_name)
    local = _letters(person.email.partition("@")[0])
    personal = {local, _letters(person.email), first + last, last + first}
    return typed in {value for value in personal if value}


class SignupAccountForm(AccountFieldsForm):
    """Step 1, CRÉEZ VOTRE COMPTE: the account's fields, the email and the password. The
    password leaves this form only as a hash."""

    allows_other_job_title = True

    email = forms.EmailField(
        label=pgettext_lazy("libellé", "Email"),
        max_length=254,
        help_text=_("Votre adresse servira à vous connecter."),
        error_messages={
            "required": _("Saisissez votre adresse email."),
            "invalid": _("Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        help_text=_("8 caractères minimum. Une phrase facile à retenir convient très bien."),
        error_messages={"required": _("Choisissez un mot de passe de 8 caractères minimum.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Ressaisissez votre mot de passe"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={"required": _("Ressaisissez votre mot de passe.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, fixed_email: str = "", password_hash: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.password_hash = password_hash
        if fixed_email:
            # A personal invitation is bound to one address: whatever is posted is ignored.
            email = self.fields["email"]
            email.disabled = True
            email.initial = fixed_email
            email.help_text = _("L'adresse de votre invitation personnelle. Elle servira à vous connecter.")
        if password_hash:
            self._password_kept()

    def _password_kept(self) -> None:
        for name in ("password1", "password2"):
            self.fields[name].required = False
            # Bound fields copy the help text when made: let them be made again.
            self._bound_fields_cache.pop(name, None)
        self.fields["password1"].help_text = _(
            "Votre mot de passe est enregistré : laissez vide pour le garder, "
            "ou saisissez-en un nouveau (8 caractères minimum)."
        )

    def clean_email(self) -> str:
        # The form the account will hold, so the password checks and the search for an existing
        # account see the address of the mailbox, whatever look-alike was typed.
        email = normalize_email(self.cleaned_data["email"])
        # The domain's ASCII form may be longer than what was typed and checked.
        if len(email) > User.email.field.max_length:
            raise forms.ValidationError(self.fields["email"].error_messages["invalid"], code="invalid")
        return email

    def clean(self):
        cleaned = super().clean()
        self._clean_password(cleaned)
        return cleaned

    def _clean_password(self, cleaned: dict) -> None:
        """Every problem of the two fields at once (too short and not the same): the person
        corrects them in one go."""
        password1 = cleaned.get("password1") or ""
        password2 = cleaned.get("password2") or ""
        if self.password_hash and not password1 and not password2:
            return  # keeps the password chosen earlier
        if not password1:
            if self.password_hash:
                self.add_error(
                    "password1", _("Saisissez votre nouveau mot de passe, ou laissez les deux champs vides.")
                )
            return
        self._check_new_password(password1, cleaned)
        if not password2:
            if self.password_hash:
                self.add_error("password2", _("Ressaisissez votre mot de passe."))
        elif password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques : ressaisissez-le."))
        if "password1" in self.errors or "password2" in self.errors:
            return
        self.password_hash = make_password(password1)
        self._password_kept()

    def _check_new_password(self, password: str, cleaned: dict) -> None:
        # Similarity is checked against what the person typed on this page.
        person = User(
            email=cleaned.get("email") or self.fields["email"].initial or "",
            first_name=cleaned.get("first_name") or "",
            last_name=cleaned.get("last_name") or "",
        )
        try:
            password_validation.validate_password(password, person)
        except forms.ValidationError as error:
            self.add_error("password1", error)
            return
        if is_personal_password(password, person):
            self.add_error(
                "password1", _("Votre mot de passe ne doit pas être votre nom ni votre adresse email.")
            )

    def details(self) -> AccountDetails:
        """The cleaned step, without the password (kept apart, hashed)."""
        data = self.cleaned_data
        title = data["job_title_obj"]
        return AccountDetails(
            last_name=data["last_name"],
            first_name=data["first_name"],
            job_title=data["job_title"],
            job_title_id=title.pk if title is not None else None,
            job_title_other=data["job_title_other"],
            email=normalize_email(data["email"]),
            phone=data["phone"].as_e164,
        )


class SignupAddressForm(AddressForm):
    """Step 2, VOTRE ADRESSE DE LIVRAISON."""

    def details(self) -> AddressDetails:
        return AddressDetails(**{name: self.cleaned_data[name] for name in AddressForm.base_fields})


class SignupBeneficiaryForm(BeneficiaryFieldsForm):
    """One row of step 3, AJOUT DE BÉNÉFICIAIRES. A row left entirely empty is ignored."""

    def details(self) -> BeneficiaryDetails:
        data = self.cleaned_data
        return BeneficiaryDetails(
            relationship=data["relationship"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            birth_date=data["birth_date"],
        )


class BaseSignupBeneficiaryFormSet(forms.BaseFormSet):
    def __init__(self, *args, structure: BeneficiaryRules, today: datetime.date, **kwargs):
        kwargs.setdefault("prefix", "beneficiaires")
        kwargs["form_kwargs"] = {"structure": structure, "today": today}
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.helper = question_helper()

    def _construct_form(self, i, **kwargs):
        # Every row may be left empty, even one shown from what was typed before.
        kwargs["empty_permitted"] = True
        return super()._construct_form(i, **kwargs)

    def filled_forms(self) -> list[SignupBeneficiaryForm]:
        return [form for form in self.forms if form.has_changed()]

    def clean(self):
        # Said even when a row has another error: the person fixes everything at once.
        chosen = [form.candidate() for form in self.filled_forms() if form.cleaned_data.get("relationship")]
        for error in check_household(chosen):
            raise forms.ValidationError(error.message, code=error.code)

    def details(self) -> list[BeneficiaryDetails]:
        return [form.details() for form in self.filled_forms()]

    def raw_rows(self) -> list[dict]:
        """What was typed in each row, valid or not, to show it again (never more than the limit)."""
        rows = []
        for form in self.forms[:MAX_BENEFICIARIES]:
            row = {}
            for name in form.fields:
                value = form[name].value()
                if isinstance(value, (list, tuple)):  # the date's jour, mois, année
                    row[name] = [str(part)[:20] if part is not None else "" for part in value[:3]]
                else:
                    row[name] = str(value)[:150] if value is not None else ""
            rows.append(row)
        return rows


SignupBeneficiaryFormSet = forms.formset_factory(
    SignupBeneficiaryForm,
    formset=BaseSignupBeneficiaryFormSet,
    extra=0,
    max_num=MAX_BENEFICIARIES,
    absolute_max=MAX_BENEFICIARIES,
    validate_max=True,
)


class SignupConsentForm(forms.Form):
    """Step 4, VALIDATION: the current CGU, CGV and règlement, each accepted with OUI."""

    def __init__(self, *args, documents: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = question_helper()
        self.documents = documents
        self.missing = [kind for kind in LegalDocument.CONSENT_KINDS if kind not in documents]
        consent_fields(self, [documents[kind] for kind in LegalDocument.CONSENT_KINDS if kind in documents])

    def clean(self):
        cleaned = super().clean()
        if self.missing:
            raise forms.ValidationError(
                _(
                    "Les inscriptions sont momentanément impossibles : les conditions à accepter ne sont "
                    "pas publiées. Réessayez plus tard ou contactez CE+ Services."
                ),
                code="documents_missing",
            )
        return cleaned

    def accepted_documents(self) -> list[LegalDocument]:
        return [self.documents[kind] for kind in LegalDocument.CONSENT_KINDS]

    def consent_fields(self):
        """(document, bound field) pairs, in the order the documents are shown."""
        return [
            (self.documents[kind], self[f"consent_{kind}"])
            for kind in LegalDocument.CONSENT_KINDS
            if kind in self.documents
        ]
