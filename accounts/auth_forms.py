"""allauth's password forms with the seed's labels, French messages and the hints phones need
(see ``ACCOUNT_FORMS``), and the admin login form, throttled like the site's."""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import normalize_email

PASSWORD_HINT = _("8 caractères minimum. Une phrase facile à retenir convient très bien.")
REPEAT_PASSWORD_LABEL = _("Ressaisissez votre mot de passe")
# Passphrases are welcome, but not megabytes of them: hashing is deliberately slow.
PASSWORD_MAX_LENGTH = 1024


def limit_length(field: forms.Field) -> None:
    """At most ``PASSWORD_MAX_LENGTH`` characters, checked before any hashing."""
    field.max_length = PASSWORD_MAX_LENGTH
    field.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
    field.widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)


def _new_password_fields(form: forms.Form, *, label) -> None:
    """The seed's "Nouveau mot de passe" / "Ressaisissez votre mot de passe" pair."""
    password1 = form.fields["password1"]
    password1.label = label
    password1.help_text = PASSWORD_HINT
    password1.error_messages["required"] = _("Saisissez un nouveau mot de passe.")
    password1.widget.attrs.update({"autocomplete": "new-password", "placeholder": ""})
    password2 = form.fields["password2"]
    password2.label = REPEAT_PASSWORD_LABEL
    password2.error_messages["required"] = _("Ressaisissez votre nouveau mot de passe.")
    password2.widget.attrs.update({"autocomplete": "new-password", "placeholder": ""})
    limit_length(password1)
    limit_length(password2)


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """J'ai oublié mon mot de passe: the address to send the link to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        # A context keeps allauth's French catalogue from turning "Email" into "Courriel".
        email.label = pgettext_lazy("libellé", "Email")
        email.help_text = _("L'adresse email de votre compte, par exemple prenom.nom@exemple.fr")
        email.error_messages.update(
            {
                "required": _("Saisissez l'adresse email de votre compte."),
                "invalid": _("Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr"),
            }
        )
        email.widget.attrs.update({"autocomplete": "email", "placeholder": "", "inputmode": "email"})

    def clean_email(self) -> str:
        # allauth finds the accounts with the normalised address (the adapter's ``clean_email``)
        # but hands on what was typed, which keys the per-address limit: look-alikes of one
        # address ("ｅxample.org") would each get their own five links an hour.
        super().clean_email()
        return normalize_email(self.cleaned_data["email"])


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    """Réinitialiser votre mot de passe: the new password, twice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _new_password_fields(self, label=_("Nouveau mot de passe"))


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    """A logged-in member changes their password: the current one is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.fields["oldpassword"]
        current.label = _("Mot de passe actuel")
        current.help_text = ""
        current.error_messages["required"] = _("Saisissez votre mot de passe actuel.")
        current.widget.attrs.update({"autocomplete": "current-password", "placeholder": ""})
        limit_length(current)
        _new_password_fields(self, label=_("Nouveau mot de passe"))


class SetPasswordForm(allauth_forms.SetPasswordForm):
    """A logged-in account without a usable password chooses one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _new_password_fields(self, label=_("Mot de passe"))
