"""Admin actions about accounts, shared by the admins that list accounts (the staff's accounts
and the structures' members): the activation email of imported members, password reset links."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.services import (
    activation_candidates,
    activation_email_send,
    password_reset_send,
    second_factor_reset,
)
from ceplus.text import short_list
from structures.scoping import is_staff_wide, members_visible_to


@admin.action(
    description=_("Envoyer l'email « Activez votre compte sur le nouveau site »"),
    permissions=["change"],
)
def send_activation_email(modeladmin, request, queryset):
    """Email the selected members who came from the former site a link to choose their password.

    Only validated, active members without a password on the new site get it; the others are
    counted and left alone. A manager reaches only the members of the structures they manage,
    whatever ids were posted.
    """
    selected = queryset.count()
    candidates = members_visible_to(request.user, activation_candidates(queryset))
    sent = 0
    for user in candidates.select_related("structure").order_by("pk").distinct():
        activation_email_send(user=user, acting_user=request.user)
        sent += 1
    if sent:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d email d'activation envoyé.",
                "%(count)d emails d'activation envoyés.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )
    if selected - sent:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d compte ignoré : déjà activé (mot de passe choisi), pas encore validé ou désactivé.",
                "%(count)d comptes ignorés : déjà activés (mot de passe choisi), pas encore validés ou "
                "désactivés.",
                selected - sent,
            )
            % {"count": selected - sent},
            messages.WARNING,
        )


def send_password_resets(model_admin: admin.ModelAdmin, request: HttpRequest, users: list[User]) -> None:
    """Email each active user a link to set a new password (allauth's reset flow): staff and
    managers never see nor set a password themselves."""
    sent, skipped = [], []
    for user in users:
        if not user.is_active:
            skipped.append(str(user))
            continue
        password_reset_send(user=user, acting_user=request.user)
        model_admin.log_change(request, user, str(_("Lien de réinitialisation du mot de passe envoyé.")))
        sent.append(user.email)
    if sent:
        model_admin.message_user(
            request,
            ngettext(
                "Lien de réinitialisation du mot de passe envoyé à %(list)s.",
                "Liens de réinitialisation du mot de passe envoyés à %(count)d personnes : %(list)s.",
                len(sent),
            )
            % {"count": len(sent), "list": short_list(sent)},
            messages.SUCCESS,
        )
    if skipped:
        model_admin.message_user(
            request,
            _("Aucun lien pour les comptes désactivés (réactivez-les d'abord) : %(list)s.")
            % {"list": short_list(skipped)},
            messages.WARNING,
        )


@admin.action(
    description=_("Réinitialiser la double authentification (téléphone ou clé perdus)"),
    permissions=["reset_second_factor"],
)
def reset_second_factor(modeladmin, request, queryset):
    """CE+ Services staff remove the second factors of the selected accounts, for a person who
    lost their phone or key; each is told by email (``second_factor_reset``). Managers never
    see the action (``has_reset_second_factor_permission``)."""
    if not is_staff_wide(request.user):
        return
    reset = [
        user for user in queryset.order_by("pk") if second_factor_reset(user=user, acting_user=request.user)
    ]
    if reset:
        modeladmin.message_user(
            request,
            ngettext(
                "Double authentification retirée pour %(count)d compte, prévenu par email : %(list)s",
                "Double authentification retirée pour %(count)d comptes, prévenus par email : %(list)s",
                len(reset),
            )
            % {"count": len(reset), "list": short_list(reset)},
            messages.SUCCESS,
        )
    else:
        modeladmin.message_user(
            request, _("Aucun des comptes sélectionnés n'avait de double authentification."), messages.WARNING
        )


def may_reset_second_factor(request: HttpRequest) -> bool:
    """Only CE+ Services staff reset a second factor: a manager who could remove a colleague's
    would remove the protection it gives."""
    return is_staff_wide(request.user)
