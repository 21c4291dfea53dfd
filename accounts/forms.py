"""Forms about a person's identity, shared by the signup wizard and the espace adhérent: the
login, the fields of an account (name, fonction, phone), the delivery address and the
acceptance of the legal documents. They clean and normalise; the services write."""

from __future__ import annotations

import re

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.formfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from accounts.auth_forms import limit_length
from accounts.models import JobTitle, normalize_email
from accounts.selectors import job_title_exact, job_title_search
from ceplus.forms import LineField, question_helper
from ceplus.models import LegalDocument
from ceplus.text import fold

FRANCE = "France"
POSTAL_CODE_FR = re.compile(r"^\d{5}$")
POSTAL_CODE_OTHER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")
PHONE_MESSAGE = _("Saisissez un numéro de téléphone, par exemple 06 12 34 56 78")
MAX_JOB_TITLE_CHOICES = 20


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
        limit_length(password)

    def clean_login(self) -> str:
        # allauth's login form does not go through the adapter's ``clean_email``: the address is
        # put in the accounts' form here, so a look-alike ("ｅxample.org") logs into the account
        # of its mailbox and its failures count against that account's limit.
        return normalize_email(super().clean_login())


def is_france(country: str) -> bool:
    return fold(country or "") in {"france", "fr", "france metropolitaine"}


class AccountFieldsForm(forms.Form):
    """Nom, prénom, fonction and téléphone, as step 1 of the wizard and "Mon profil" ask them.
    The fonction is found by keyword, and picked from a list when several titles match."""

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
    phone = PhoneNumberField(
        label=_("Numéro de téléphone"),
        region="FR",
        max_length=40,
        help_text=_("Par exemple 06 12 34 56 78"),
        error_messages={"required": PHONE_MESSAGE, "invalid": PHONE_MESSAGE},
        widget=RegionalPhoneNumberWidget(region="FR", attrs={"autocomplete": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = question_helper()
        self.job_title_matches: list[JobTitle] = []

    def clean(self):
        cleaned = super().clean()
        self._clean_job_title(cleaned)
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


class AddressForm(forms.Form):
    """The delivery address: step 2 of the wizard, VOTRE ADRESSE DE LIVRAISON, and "Mon adresse
    de livraison"."""

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
        self.helper = question_helper()

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


CONSENT_LABELS = {
    LegalDocument.Kind.CGU: _("les conditions générales d'utilisation (CGU)"),
    LegalDocument.Kind.CGV: _("les conditions générales de vente (CGV)"),
    LegalDocument.Kind.REGLEMENT: _("le règlement de CE+ Services"),
}


def consent_fields(form: forms.Form, documents) -> None:
    """One "OUI, j'accepte …" box per document, as at signup and when a new version is in force."""
    for document in documents:
        label = CONSENT_LABELS[document.kind]
        form.fields[f"consent_{document.kind}"] = forms.BooleanField(
            label=_("OUI, j'accepte %(document)s") % {"document": label},
            error_messages={"required": _("Cochez OUI pour accepter %(document)s.") % {"document": label}},
        )
