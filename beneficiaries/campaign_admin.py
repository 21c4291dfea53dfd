"""The yearly updates (campagnes annuelles) in the admin: managers and staff create one for a
structure they see, follow who answered and export it. Saved through
``beneficiaries.services.campaign_save`` (recorded); the daily command sends the emails."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from beneficiaries.campaigns import campaign_progress, members_asked
from beneficiaries.models import Campaign, FamilyConfirmation
from beneficiaries.services import campaign_save
from ceplus.csv_files import csv_download
from structures.scoping import ScopedAdmin, structure_filter


class CampaignAdminForm(forms.ModelForm):
    """A campaign's structure and dates; the service checks them again when it saves."""

    class Meta:
        model = Campaign
        fields = ["structure", "starts_on", "deadline"]
        help_texts = {
            "starts_on": _(
                "Ce jour-là, chaque ouvrant-droit qui a des bénéficiaires reçoit l'email « Mettez à jour vos bénéficiaires »."
            ),
            "deadline": _(
                "Un rappel part 7 jours avant à ceux qui n'ont pas répondu ; après cette date, leurs "
                "bénéficiaires ne profitent plus des offres jusqu'à ce qu'ils confirment."
            ),
        }
        error_messages = {
            "starts_on": {
                "required": _("Saisissez la date de début, par exemple 05/01/2027."),
                "invalid": _("Cette date n'existe pas : saisissez-la comme 05/01/2027."),
            },
            "deadline": {
                "required": _("Saisissez la date limite, par exemple 31/01/2027."),
                "invalid": _("Cette date n'existe pas : saisissez-la comme 31/01/2027."),
            },
            "structure": {
                "required": _("Choisissez la structure."),
                "invalid_choice": _("Choisissez une structure de la liste."),
            },
        }

    def clean(self):
        cleaned = super().clean()
        starts_on, deadline = cleaned.get("starts_on"), cleaned.get("deadline")
        if starts_on and deadline and deadline <= starts_on:
            self.add_error("deadline", _("Choisissez une date limite après la date de début."))
        structure = cleaned.get("structure") or (self.instance.structure if self.instance.pk else None)
        if structure and starts_on:
            same_day = Campaign.objects.filter(structure=structure, starts_on=starts_on).exclude(
                pk=self.instance.pk
            )
            if same_day.exists():
                self.add_error(
                    "starts_on",
                    _(
                        "Cette structure a déjà une campagne qui commence ce jour-là : choisissez-la dans la liste."
                    ),
                )
        return cleaned

    def validate_constraints(self, exclude=None):
        # The form says it in French above; the model's own messages would repeat it in code.
        pass


EXPORT_COLUMNS = [
    (_("Nom"), lambda m, c: m.last_name),
    (_("Prénom"), lambda m, c: m.first_name),
    (pgettext_lazy("libellé", "Email"), lambda m, c: m.email),
    (_("Nombre de bénéficiaires"), lambda m, c: m.beneficiary_count),
    (_("Réponse"), lambda m, c: _("Famille confirmée") if m.confirmed else _("Pas de réponse")),
    (
        _("Confirmée le"),
        lambda m, c: timezone.localtime(c[m.pk]).strftime("%d/%m/%Y %H:%M") if m.pk in c else "",
    ),
]


@admin.register(Campaign)
class CampaignAdmin(ScopedAdmin):
    """A structure's yearly update: its dates, then who has confirmed and who has not."""

    form = CampaignAdminForm
    list_display = [
        "__str__",
        "structure",
        "starts_on",
        "deadline",
        "progress",
        "announced_at",
        "reminded_at",
    ]
    list_select_related = ["structure"]
    list_filter = [structure_filter("structure")]
    ordering = ["-starts_on", "-pk"]
    readonly_fields = ["progress", "announced_at", "reminded_at", "unanswered", "export_link"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["structure", "starts_on", "deadline"]
        return [
            "structure",
            "starts_on",
            "deadline",
            "announced_at",
            "reminded_at",
            "progress",
            "export_link",
            "unanswered",
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A campaign stays with its structure; its dates may still move.
            fields.append("structure")
        return fields

    def has_delete_permission(self, request, obj=None):
        # Its confirmations are the members' answers: a campaign is moved, never deleted.
        return False

    def save_model(self, request, obj, form, change):
        try:
            saved = campaign_save(
                structure=obj.structure,
                starts_on=obj.starts_on,
                deadline=obj.deadline,
                acting_user=request.user,
                campaign=obj if change else None,
            )
        except ValidationError as error:  # another save in between
            self.message_user(request, " ".join(error.messages), level="ERROR")
            return
        obj.pk = saved.pk

    @admin.display(description=_("réponses"))
    def progress(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return "—"
        progress = campaign_progress(campaign)
        return _(
            "%(confirmed)d sur %(total)d ouvrants-droit avec des bénéficiaires ont confirmé leur famille"
        ) % {
            "confirmed": progress.confirmed,
            "total": progress.total,
        }

    @admin.display(description=_("pas encore de réponse"))
    def unanswered(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return "—"
        members = campaign_progress(campaign).unanswered
        if not members:
            return _("Tout le monde a répondu.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} {}</a> ({}), {}</li>',
                (
                    (
                        reverse("admin:structures_member_change", args=[member.pk]),
                        member.last_name,
                        member.first_name,
                        member.email,
                        _("%(count)d bénéficiaire(s)") % {"count": member.beneficiary_count},
                    )
                    for member in members
                ),
            ),
        )

    @admin.display(description=_("export"))
    def export_link(self, campaign: Campaign) -> str:
        url = reverse("admin:beneficiaries_campaign_export", args=[campaign.pk])
        return format_html('<a href="{}">{}</a>', url, _("Exporter les réponses (CSV)"))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name="beneficiaries_campaign_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Who the campaign asks, and their answer, as a CSV file for Excel (UTF-8 with BOM,
        ";"); another structure's campaign answers like a missing one."""
        campaign = self.get_object(request, unquote(object_id))
        if campaign is None or not self.has_view_permission(request, campaign):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        confirmed_at = dict(
            FamilyConfirmation.objects.filter(campaign=campaign).values_list("member_id", "confirmed_at")
        )
        return csv_download(
            f"mise-a-jour-{campaign.starts_on:%Y-%m-%d}-{campaign.structure_id}.csv",
            [title for title, _value in EXPORT_COLUMNS],
            (
                [value(member, confirmed_at) for _title, value in EXPORT_COLUMNS]
                for member in members_asked(campaign)
            ),
        )
