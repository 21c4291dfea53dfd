import re

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
