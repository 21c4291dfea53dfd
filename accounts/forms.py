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
from ceplus.text import clean_line, fold

FRANCE = "France"
POSTAL_CODE_FR = re.compile(r"^\d{5}$")
POSTAL_CODE_OTHER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")
PHONE_MESSAGE = _("Saisissez un numéro de téléphone, par exemple 06 12 34 56 78")
PHONE_INVALID_MESSAGE = _("Ce numéro de téléphone n'est pas valide : saisissez par exemple 06 12 34 56 78")
MAX_JOB_TITLE_CHOICES = 20
# The value of "Autre : ma fonction n'est pas dans la liste" among the fonction's choices.
JOB_TITLE_OTHER = "autre"


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


class JobTitleChoiceField(forms.ModelChoiceField):
    """One of the titles matching what was typed, or ``JOB_TITLE_OTHER``: none of them, the
    fonction is kept as typed."""

    def to_python(self, value):
        if value == JOB_TITLE_OTHER:
            return JOB_TITLE_OTHER
        return super().to_python(value)


class AccountFieldsForm(forms.Form):
    """Nom, prénom, fonction and téléphone, as step 1 of the wizard and "Mon profil" ask them.
    The fonction is found by keyword, and picked from a list when several titles match. With
    ``allows_other_job_title``, a fonction the list does not have is kept as typed once the
    person ticks "Autre" (``cleaned_data["job_title_other"]``, ``job_title_obj`` is then
    ``None``)."""

    # Off where the view does not save ``job_title_other``: the typed fonction would be lost.
    allows_other_job_title = False

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
    job_title_choice = JobTitleChoiceField(
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
        error_messages={"required": PHONE_MESSAGE, "invalid": PHONE_INVALID_MESSAGE},
        widget=RegionalPhoneNumberWidget(region="FR", attrs={"autocomplete": "tel"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = question_helper()
        self.job_title_matches: list[JobTitle] = []
        # "Autre" is offered once the typed fonction was looked for, and when it was chosen before.
        self.offers_other_job_title = (
            self.allows_other_job_title
            and not self.is_bound
            and (
                bool(self.initial.get("job_title_other"))
                or self.initial.get("job_title_choice") == JOB_TITLE_OTHER
            )
        )
        if self.offers_other_job_title:
            self.initial = {**self.initial, "job_title_choice": JOB_TITLE_OTHER}

    @property
    def job_title_other_chosen(self) -> bool:
        return self.offers_other_job_title and self["job_title_choice"].value() == JOB_TITLE_OTHER

    def clean(self):
        cleaned = super().clean()
        self._clean_job_title(cleaned)
        return cleaned

    def _clean_job_title(self, cleaned: dict) -> None:
        text = cleaned.get("job_title")
        if not text:
            return
        choice = cleaned.get("job_title_choice")
        title = job_title_exact(text)
        if title is None and choice == JOB_TITLE_OTHER and self.allows_other_job_title:
            # Not in the list: kept as typed, and the manager reads it so.
            self.offers_other_job_title = True
            cleaned["job_title_obj"] = None
            cleaned["job_title_other"] = text
            return
        if title is None and isinstance(choice, JobTitle):
            title = choice
        if title is None:
            matches = job_title_search(text, limit=MAX_JOB_TITLE_CHOICES + 1)
            self.offers_other_job_title = self.allows_other_job_title and len(matches) != 1
            if len(matches) == 1:
                title = matches[0]
            elif not matches:
                self.add_error(
                    "job_title",
                    (
                        _(
                            "Aucune fonction ne correspond à « %(text)s » : essayez un autre mot clé, "
                            "par exemple « comptable », ou cochez « Autre » si votre fonction n'est pas "
                            "dans la liste."
                        )
                        if self.allows_other_job_title
                        else _(
                            "Aucune fonction ne correspond à « %(text)s » : essayez un autre mot clé, "
                            "par exemple « comptable »."
                        )
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
        cleaned["job_title_other"] = ""


# The countries a delivery address may be in, in French: France first, then the European Union,
# the rest of Europe (Switzerland and the United Kingdom first) and the countries most members
# come from. Data rather than interface text (no gettext): the name is what the address keeps,
# and what the admin and the export show.
EUROPEAN_UNION = [
    "Allemagne",
    "Autriche",
    "Belgique",
    "Bulgarie",
    "Chypre",
    "Croatie",
    "Danemark",
    "Espagne",
    "Estonie",
    "Finlande",
    "Grèce",
    "Hongrie",
    "Irlande",
    "Italie",
    "Lettonie",
    "Lituanie",
    "Luxembourg",
    "Malte",
    "Pays-Bas",
    "Pologne",
    "Portugal",
    "Roumanie",
    "Slovaquie",
    "Slovénie",
    "Suède",
    "Tchéquie",
]
OTHER_EUROPE = [
    "Suisse",
    "Royaume-Uni",
    "Andorre",
    "Islande",
    "Liechtenstein",
    "Monaco",
    "Norvège",
    "Saint-Marin",
]
OTHER_COUNTRIES = [
    "Algérie",
    "Canada",
    "Côte d'Ivoire",
    "États-Unis",
    "Maroc",
    "Sénégal",
    "Tunisie",
    "Turquie",
]
COUNTRY_NAMES = [FRANCE, *EUROPEAN_UNION, *OTHER_EUROPE, *OTHER_COUNTRIES]
# Other spellings of a country, folded, as older data or a browser's autofill may send them.
COUNTRY_ALIASES = {
    "fr": FRANCE,
    "france metropolitaine": FRANCE,
    "republique tcheque": "Tchéquie",
    "angleterre": "Royaume-Uni",
    "grande-bretagne": "Royaume-Uni",
    "usa": "États-Unis",
    "germany": "Allemagne",
    "deutschland": "Allemagne",
    "switzerland": "Suisse",
    "schweiz": "Suisse",
}


def country_choices(extra: str = "") -> list:
    """The select's choices, grouped; ``extra`` is a country recorded before the list existed,
    offered so that the address shows it as it is."""
    choices = [
        (FRANCE, FRANCE),
        (_("Union européenne"), [(name, name) for name in EUROPEAN_UNION]),
        (_("Autres pays d'Europe"), [(name, name) for name in OTHER_EUROPE]),
        (_("Autres pays"), [(name, name) for name in OTHER_COUNTRIES]),
    ]
    if extra and extra not in COUNTRY_NAMES:
        choices.append((extra, extra))
    return choices


def country_name(value: str) -> str:
    """The list's name for a country spelled otherwise ("france ", "FR", "Deutschland")."""
    folded = fold(value or "")
    for name in COUNTRY_NAMES:
        if fold(name) == folded:
            return name
    return COUNTRY_ALIASES.get(folded, value)


class CountryField(forms.ChoiceField):
    """A country of ``COUNTRY_NAMES``, however it was spelled."""

    def to_python(self, value):
        return country_name(clean_line(super().to_python(value)))


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
    country = CountryField(
        label=_("Pays"),
        choices=country_choices,
        initial=FRANCE,
        error_messages={
            "required": _("Choisissez votre pays."),
            "invalid_choice": _("Choisissez votre pays dans la liste."),
        },
        widget=forms.Select(attrs={"autocomplete": "country-name"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = question_helper()
        recorded = self.initial.get("country") or ""
        if not self.is_bound and recorded:
            self.initial = {**self.initial, "country": country_name(recorded)}
            self.fields["country"].choices = country_choices(extra=self.initial["country"])

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
