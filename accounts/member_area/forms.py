"""Forms of the espace adhérent. They clean and normalise what the member typed; the services
in ``accounts.services`` and ``accounts.privacy`` write."""

from __future__ import annotations

from allauth.account.forms import AddEmailForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import AccountFieldsForm, consent_fields
from accounts.models import User
from accounts.services import current_email_confirm
from ceplus.forms import question_helper
from ceplus.models import LegalDocument


class ProfileForm(AccountFieldsForm):
    """Mon profil: nom, prénom, fonction, téléphone, with the wizard's fields and checks (the
    fonction is found by keyword, and picked from a list when several match, or kept as typed
    with "Autre"). The email changes through allauth, the password through its own page."""

    allows_other_job_title = True


class ChangeEmailForm(AddEmailForm):
    """allauth's "change my email" form with our label and the browser hints."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = _("Nouvelle adresse email")
        email.help_text = _(
            "Nous y enverrons un lien de confirmation ; l'ancienne adresse reste active jusque-là."
        )
        email.error_messages["required"] = _(
            "Saisissez votre nouvelle adresse email, par exemple nom@exemple.fr."
        )
        email.error_messages["invalid"] = _("Saisissez une adresse email valide, par exemple nom@exemple.fr.")
        email.widget.attrs.update({"autocomplete": "email", "placeholder": "", "inputmode": "email"})

    def clean_email(self) -> str:
        email = super().clean_email()
        # allauth hides whether an address is taken, then sends it a link that, once followed,
        # would give this account an address that is another account's login. A member (who
        # is logged in and validated by their structure) is told plainly instead.
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(
                _("Cette adresse est déjà celle d'un autre compte : choisissez-en une autre.")
            )
        return email

    def save(self, request):
        # allauth keeps the current address until the new one is confirmed, and then tells the
        # old one, only if the current address is a verified one: make it so first.
        current_email_confirm(member=self.user)
        return super().save(request)


class ConsentForm(forms.Form):
    """The new versions of the legal documents, each accepted with OUI, as at signup."""

    def __init__(self, *args, documents: list[LegalDocument], **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = question_helper()
        self.documents = documents
        consent_fields(self, documents)

    def consent_fields(self):
        """(document, bound field) pairs, in the order the documents are shown."""
        return [(document, self[f"consent_{document.kind}"]) for document in self.documents]


class EraseForm(forms.Form):
    """The member's request to have their account erased: password and an explicit "yes"."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        error_messages={"required": _("Saisissez votre mot de passe pour confirmer.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que mon compte et mes données seront supprimés définitivement."),
        error_messages={"required": _("Cochez la case pour confirmer la suppression de votre compte.")},
    )

    def __init__(self, *args, member: User, rate_limited: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.rate_limited = rate_limited

    def clean_password(self) -> str:
        if self.rate_limited:
            raise forms.ValidationError(_("Trop de tentatives : patientez une minute avant de réessayer."))
        password = self.cleaned_data["password"]
        if not self.member.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n'est pas le bon : vérifiez-le et réessayez."))
        return password
