import datetime
import re

from allauth.account import forms as allauth_forms
from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from accounts.models import JobTitle, User, normalize_email
from accounts.selectors import job_title_exact, job_title_search
from beneficiaries.rules import Candidate, allowed_relationship_choices, check_beneficiary, check_household
from ceplus.models import LegalDocument
from ceplus.text import clean_line, fold
from structures.models import Structure

TOKEN_PATTERN = re.compile(r"(?:/inscription/)?([A-Za-z0-9_-]{20,64})/?\s*$")


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


class LoginForm(allauth_forms.LoginForm):
    """allauth's login form with the seed's labels and the browser hints phones need."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        # A context keeps allauth's French catalogue from turning "Email" into "Courriel".
        login.label = pgettext_lazy("libellé", "Email")
        login.widget.attrs.update({"autocomplete": "email", "placeholder": "", "inputmode": "email"})
        password = self.fields["password"]
        password.label = _("Mot de passe")
        password.help_text = ""
        password.widget.attrs.update({"autocomplete": "current-password", "placeholder": ""})
        password.error_messages["required"] = _("Saisissez votre mot de passe.")
        login.error_messages.update(
            {
                "required": _("Saisissez l'adresse email de votre compte."),
                "invalid": _("Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr"),
            }
        )
        # Checked before the (deliberately slow) hashing of what was typed.
        from accounts.auth_forms import limit_length

        limit_length(password)

    def clean_login(self) -> str:
        # allauth's login form does not go through the adapter's ``clean_email``: the address is
        # put in the accounts' form here, so a look-alike ("ｅxample.org") logs into the account
        # of its mailbox and its failures count against that account's limit.
        return normalize_email(super().clean_login())


# --- The signup wizard ----------------------------------------------------------------------
# Each step's form cleans and normalises what the person typed; the view keeps the cleaned data
# in the session (JSON) and ``accounts.services.registration_submit`` writes it all at the end.

# Passphrases are welcome, but not megabytes of them: hashing is deliberately slow.
PASSWORD_MAX_LENGTH = 1024
# What a French person types, and what a native date picker sends.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d/%m/%y"]
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
MAX_BENEFICIARIES = 15
FRANCE = "France"
POSTAL_CODE_FR = re.compile(r"^\d{5}$")
POSTAL_CODE_OTHER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")
PHONE_MESSAGE = _("Saisissez un numéro de téléphone, par exemple 06 12 34 56 78")


def signup_helper() -> FormHelper:
    """Fields in the GOV.UK order (label, hint, error, input), inside the page's own <form>."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.field_template = "accounts/signup/field.html"
    return helper


class LineField(forms.CharField):
    """One line of text as a person meant it: no control characters, single spaces."""

    def to_python(self, value):
        value = super().to_python(value)
        return clean_line(value) if value else value


def is_france(country: str) -> bool:
    return fold(country or "") in {"france", "fr", "france metropolitaine"}


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


class SignupAccountForm(forms.Form):
    """Step 1, CRÉEZ VOTRE COMPTE. The password leaves this form only as a hash."""

    last_name = LineField(
        label=_("Nom"),
        max_length=150,
        error_messages={"required": _("Saisissez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )
    first_name = LineField(
        label=_("Prénom"),
        max_length=150,
        error_messages={"required": _("Saisissez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
    )
    job_title = LineField(
        label=_("Fonction"),
        max_length=200,
        help_text=_("Vous pouvez rechercher par mot clé, par exemple « comptable »."),
        error_messages={"required": _("Saisissez votre fonction, par exemple « comptable ».")},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title", "spellcheck": "false"}),
    )
    # Shown only when several titles match what was typed: the person picks one without JavaScript.
    job_title_choice = forms.ModelChoiceField(
        label=_("Choisissez votre fonction"),
        queryset=JobTitle.objects.filter(is_active=True),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choisissez une fonction dans la liste.")},
    )
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
    phone = PhoneNumberField(
        label=_("Numéro de téléphone"),
        region="FR",
        max_length=40,
        help_text=_("Par exemple 06 12 34 56 78"),
        error_messages={"required": PHONE_MESSAGE, "invalid": PHONE_MESSAGE},
        widget=RegionalPhoneNumberWidget(region="FR", attrs={"autocomplete": "tel"}),
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
        self.helper = signup_helper()
        self.job_title_matches: list[JobTitle] = []
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
        self._clean_job_title(cleaned)
        self._clean_password(cleaned)
        return cleaned

    def _clean_job_title(self, cleaned: dict) -> None:
        text = cleaned.get("job_title")
        if not text:
            return
        title = job_title_exact(text)
        if title is None and cleaned.get("job_title_choice") is not None:
            title = cleaned["job_title_choice"]
        if title is None:
            matches = job_title_search(text, limit=MAX_JOB_TITLE_CHOICES + 1)
            if len(matches) == 1:
                title = matches[0]
            elif not matches:
                self.add_error(
                    "job_title",
                    _(
                        "Aucune fonction ne correspond à « %(text)s » : essayez un autre mot clé, par exemple « comptable »."
                    )
                    % {"text": text[:60]},
                )
                return
            else:
                self.job_title_matches = matches[:MAX_JOB_TITLE_CHOICES]
                self.fields["job_title_choice"].queryset = JobTitle.objects.filter(
                    pk__in=[match.pk for match in self.job_title_matches]
                )
                self.add_error(
                    "job_title",
                    _("Plusieurs fonctions correspondent à « %(text)s » : choisissez la vôtre dans la liste.")
                    % {"text": text[:60]}
                    if len(matches) <= MAX_JOB_TITLE_CHOICES
                    else _(
                        "Beaucoup de fonctions correspondent à « %(text)s » : choisissez dans la liste "
                        "ou précisez avec un autre mot clé."
                    )
                    % {"text": text[:60]},
                )
                return
        cleaned["job_title_obj"] = title
        cleaned["job_title"] = title.name

    def _clean_password(self, cleaned: dict) -> None:
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
        if not password2:
            if self.password_hash:
                self.add_error("password2", _("Ressaisissez votre mot de passe."))
            return
        if password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques : ressaisissez-le."))
            return
        # Similarity is checked against what the person typed on this page.
        person = User(
            email=cleaned.get("email") or self.fields["email"].initial or "",
            first_name=cleaned.get("first_name") or "",
            last_name=cleaned.get("last_name") or "",
        )
        try:
            password_validation.validate_password(password1, person)
        except forms.ValidationError as error:
            self.add_error("password1", error)
            return
        if is_personal_password(password1, person):
            self.add_error(
                "password1", _("Votre mot de passe ne doit pas être votre nom ni votre adresse email.")
            )
            return
        self.password_hash = make_password(password1)
        self._password_kept()

    def session_data(self) -> dict:
        """The cleaned step, JSON-serialisable, without the password."""
        data = self.cleaned_data
        return {
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "job_title": data["job_title"],
            "job_title_id": data["job_title_obj"].pk,
            "email": normalize_email(data["email"]),
            "phone": data["phone"].as_e164,
        }


MAX_JOB_TITLE_CHOICES = 20


class SignupAddressForm(forms.Form):
    """Step 2, VOTRE ADRESSE DE LIVRAISON."""

    line1 = LineField(
        label=_("Adresse"),
        max_length=200,
        help_text=_("Numéro et nom de la rue"),
        error_messages={"required": _("Saisissez votre adresse, par exemple 12 rue des Vosges.")},
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    line2 = LineField(
        label=_("Complément d'adresse"),
        max_length=200,
        required=False,
        help_text=_("Bâtiment, étage, boîte postale…"),
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postal_code = LineField(
        label=_("Code postal"),
        max_length=10,
        error_messages={"required": _("Saisissez votre code postal, par exemple 68100.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "class": "input-short"}
        ),
    )
    city = LineField(
        label=_("Ville"),
        max_length=100,
        error_messages={"required": _("Saisissez votre ville.")},
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = LineField(
        label=_("Pays"),
        max_length=100,
        initial=FRANCE,
        error_messages={"required": _("Saisissez votre pays, par exemple France.")},
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = signup_helper()

    def clean_country(self) -> str:
        country = self.cleaned_data["country"]
        return FRANCE if is_france(country) else country

    def clean(self):
        cleaned = super().clean()
        postal_code = (cleaned.get("postal_code") or "").upper()
        if not postal_code:
            return cleaned
        if is_france(cleaned.get("country", FRANCE)):
            postal_code = postal_code.replace(" ", "")
            if not POSTAL_CODE_FR.match(postal_code):
                self.add_error("postal_code", _("Saisissez un code postal à 5 chiffres, par exemple 68100."))
                return cleaned
        elif not POSTAL_CODE_OTHER.match(postal_code):
            self.add_error(
                "postal_code", _("Saisissez un code postal avec des chiffres et des lettres seulement.")
            )
            return cleaned
        cleaned["postal_code"] = postal_code
        return cleaned

    def session_data(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in ("line1", "line2", "postal_code", "city", "country")
        }


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


class SignupBeneficiaryForm(forms.Form):
    """One row of step 3, AJOUT DE BÉNÉFICIAIRES. A row left entirely empty is ignored."""

    relationship = forms.ChoiceField(
        label=_("Lien avec vous"),
        error_messages={
            "required": _("Choisissez le lien entre ce bénéficiaire et vous."),
            "invalid_choice": _("Choisissez un lien dans la liste."),
        },
    )
    last_name = LineField(
        label=_("Nom"), max_length=150, error_messages={"required": _("Saisissez le nom du bénéficiaire.")}
    )
    first_name = LineField(
        label=_("Prénom"),
        max_length=150,
        error_messages={"required": _("Saisissez le prénom du bénéficiaire.")},
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        help_text=_("Par exemple 14/03/2016"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        error_messages={
            "required": _("Saisissez la date de naissance, par exemple 14/03/2016."),
            "invalid": _("Saisissez une date de naissance réelle, par exemple 14/03/2016."),
        },
    )

    def __init__(self, *args, structure: Structure, today: datetime.date, **kwargs):
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
            raise forms.ValidationError(_("Vérifiez l'année de naissance, par exemple 14/03/2016."))
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

    def session_data(self) -> dict:
        data = self.cleaned_data
        return {
            "relationship": data["relationship"],
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "birth_date": data["birth_date"].isoformat(),
        }


class BaseSignupBeneficiaryFormSet(forms.BaseFormSet):
    def __init__(self, *args, structure: Structure, today: datetime.date, **kwargs):
        kwargs.setdefault("prefix", "beneficiaires")
        kwargs["form_kwargs"] = {"structure": structure, "today": today}
        super().__init__(*args, **kwargs)
        self.structure = structure
        self.helper = signup_helper()

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

    def session_data(self) -> list[dict]:
        return [form.session_data() for form in self.filled_forms()]

    def raw_rows(self) -> list[dict]:
        """What was typed in each row, valid or not, to show it again (never more than the limit)."""
        rows = []
        for form in self.forms[:MAX_BENEFICIARIES]:
            row = {}
            for name in form.fields:
                value = form[name].value()
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
        self.helper = signup_helper()
        self.documents = documents
        self.missing = [kind for kind in LegalDocument.CONSENT_KINDS if kind not in documents]
        for kind in LegalDocument.CONSENT_KINDS:
            document = documents.get(kind)
            if document is None:
                continue
            label = CONSENT_LABELS[kind]
            self.fields[f"consent_{kind}"] = forms.BooleanField(
                label=_("OUI, j'accepte %(document)s") % {"document": label},
                error_messages={
                    "required": _("Cochez OUI pour accepter %(document)s.") % {"document": label}
                },
            )

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


CONSENT_LABELS = {
    LegalDocument.Kind.CGU: _("les conditions générales d'utilisation (CGU)"),
    LegalDocument.Kind.CGV: _("les conditions générales de vente (CGV)"),
    LegalDocument.Kind.REGLEMENT: _("le règlement de CE+ Services"),
}
