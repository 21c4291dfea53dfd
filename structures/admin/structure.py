"""Structures (staff create them, set their rules and managers), their invitations page and their
staff list's page (``structures.admin.roster``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db.models import Count, Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts.models import User
from beneficiaries.models import Beneficiary, ProofKind, Relationship
from beneficiaries.rules import child_age_limits
from ceplus.text import short_list
from structures.admin import roster
from structures.admin.common import (
    invitation_state_label,
)
from structures.admin.forms import (
    PersonalInvitationsForm,
    SharedLinkExpiryForm,
    StructureAdminForm,
)
from structures.models import Invitation, Structure, StructureLogo
from structures.scoping import ScopedAdmin, is_staff_wide
from structures.services import (
    MANAGER_SETTINGS,
    ROSTER_SETTINGS,
    STRUCTURE_FIELDS,
    InvitationError,
    invitation_revoke,
    invitation_set_expiry,
    invitation_url,
    invitations_send,
    manager_invite,
    manager_remove,
    shared_invitation_get_or_create,
    shared_invitation_regenerate,
    structure_create,
    structure_update,
)

# --- Structures and their invitations ------------------------------------------------------------

# The CSV of personal invitations is read in memory and never written to disk; a bigger request
# is refused with a message rather than spilled to a temporary file.
MAX_INVITATION_REQUEST_BYTES = 1_300_000


class InMemoryUploadHandler(MemoryFileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= MAX_INVITATION_REQUEST_BYTES
        if not self.activated:
            self.request.upload_too_large = True


def _upload_too_large(request: HttpRequest) -> bool:
    """A request whose file the memory-only upload handler dropped (``FILE_UPLOAD_MAX_MEMORY_SIZE``)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return request.method == "POST" and length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE


@admin.register(Structure)
class StructureAdmin(ScopedAdmin):
    """Staff create structures, set their rules and managers; a manager sees their own
    structures, changes only their own settings (``MANAGER_SETTINGS``: the staff list's, their message
    to the members) and reaches their
    invitation tools and staff list from here."""

    structure_path = "pk"
    list_display = ["name", "kind", "pending_count", "notification", "invitations_link"]
    list_filter = ["kind", "notification"]
    search_fields = ["name"]
    ordering = ["name"]
    readonly_fields = [
        "managers_display",
        "allowed_kinds_display",
        "proofs_display",
        "child_age_display",
        "child_extension_display",
        "shared_link_display",
        "logo_display",
        "roster_display",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(pending=Count("members", filter=Q(members__status=User.Status.PENDING)))
        )

    def has_change_permission(self, request, obj=None):
        # A manager who sees the structure changes its staff-list settings on its page, and
        # nothing else: every other field is read only for them (get_readonly_fields,
        # save_model). Lists and other admins' links still treat structures as read only.
        if super().has_change_permission(request, obj):
            return True
        return obj is not None and self.has_view_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if is_staff_wide(request.user):
            kwargs["form"] = StructureAdminForm
        form = super().get_form(request, obj, change=change, **kwargs)
        attributes = {}
        if issubclass(form, StructureAdminForm) and _upload_too_large(request):
            attributes["upload_too_large"] = True
        return type(form.__name__, (roster.RosterSettingsMixin, form), attributes)

    def get_fieldsets(self, request, obj=None):
        if is_staff_wide(request.user):
            manager_fields = ["new_manager_email", "new_manager_first_name", "new_manager_last_name"]
            if obj is not None:
                manager_fields.insert(0, "managers_kept")
            return [
                (None, {"fields": ["name", "kind"]}),
                (
                    _("Règles des bénéficiaires"),
                    {
                        "fields": [
                            "allowed_beneficiary_kinds",
                            "proof_required_kinds",
                            "accepted_proofs",
                            "child_age_limit",
                            "child_extended_age_limit",
                            "child_extended_proofs",
                            "child_age_reference",
                        ]
                    },
                ),
                (_("Notifications"), {"fields": ["notification"]}),
                (
                    _("Contact et logo"),
                    {
                        "fields": [
                            "contact_email",
                            "contact_phone",
                            "contact_hours",
                            "contact_message",
                            "logo_display",
                            "logo",
                            "logo_remove",
                        ],
                        "description": _(
                            "Ce que les ouvrants-droit lisent dans les emails de la structure ; "
                            "seul ce qui est rempli y figure."
                        ),
                    },
                ),
                (_("Gestionnaires"), {"fields": manager_fields}),
                self._roster_fieldset(),
            ]
        return [
            (None, {"fields": ["name", "kind", "shared_link_display"]}),
            (
                _("Règles des bénéficiaires"),
                {
                    "fields": [
                        "allowed_kinds_display",
                        "proofs_display",
                        "child_age_display",
                        "child_extension_display",
                        "child_age_reference",
                    ]
                },
            ),
            (_("Notifications"), {"fields": ["notification"]}),
            (
                _("Contact et logo"),
                {
                    "fields": [
                        "contact_email",
                        "contact_phone",
                        "contact_hours",
                        "contact_message",
                        "logo_display",
                    ]
                },
            ),
            (_("Gestionnaires"), {"fields": ["managers_display"]}),
            self._roster_fieldset(),
        ]

    def _roster_fieldset(self):
        return (
            _("Liste du personnel"),
            {
                "fields": ["roster_display", *ROSTER_SETTINGS],
                "description": _(
                    "La liste du personnel de la structure et ce qu'elle décide : validation "
                    "automatique des inscriptions, départs, relances des gestionnaires."
                ),
            },
        )

    def get_readonly_fields(self, request, obj=None):
        if is_staff_wide(request.user):
            return ["logo_display", "roster_display"]
        return [
            "name",
            "kind",
            "shared_link_display",
            "allowed_kinds_display",
            "proofs_display",
            "child_age_display",
            "child_extension_display",
            "child_age_reference",
            "notification",
            "contact_email",
            "contact_phone",
            "contact_hours",
            "logo_display",
            "managers_display",
            "roster_display",
        ]

    def save_model(self, request, obj, form, change):
        """Through the services: the change of each field is recorded, a new structure gets
        its shareable link. A manager's form changes the staff-list settings only."""
        staff = is_staff_wide(request.user)
        logo = form.cleaned_data.get("logo") if staff else None
        if change:
            allowed = STRUCTURE_FIELDS if staff else MANAGER_SETTINGS
            values = {name: getattr(obj, name) for name in allowed if name in form.cleaned_data}
            structure_update(
                structure=obj,
                values=values,
                acting_user=request.user,
                logo=logo,
                logo_remove=staff and bool(form.cleaned_data.get("logo_remove")) and logo is None,
            )
        else:
            structure_create(structure=obj, acting_user=request.user, logo=logo)

    def save_related(self, request, form, formsets, change):
        """The managers kept, removed and added, each through the services (no many-to-many
        written by the form itself)."""
        structure = form.instance
        if not is_staff_wide(request.user):
            return
        if "managers_kept" in form.cleaned_data:
            kept = {user.pk for user in form.cleaned_data["managers_kept"]}
            for user in structure.managers.exclude(pk__in=kept):
                manager_remove(structure=structure, user=user, acting_user=request.user)
                self.message_user(
                    request,
                    _("%(user)s ne gère plus %(structure)s.") % {"user": user, "structure": structure},
                    messages.SUCCESS,
                )
        email = form.cleaned_data.get("new_manager_email")
        if email:
            result = manager_invite(
                structure=structure,
                email=email,
                first_name=form.cleaned_data.get("new_manager_first_name", ""),
                last_name=form.cleaned_data.get("new_manager_last_name", ""),
                acting_user=request.user,
            )
            if result.already_manager:
                message = _("%(email)s gère déjà cette structure.")
            elif result.account_created:
                message = _(
                    "%(email)s est gestionnaire : un email lui donne le lien pour choisir son mot de passe."
                )
            else:
                message = _("%(email)s est gestionnaire : un email l'en informe.")
            self.message_user(request, message % {"email": result.user.email}, messages.SUCCESS)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A manager reads the structure (and sets its staff list): not Django's "Modification de structure".
        if not is_staff_wide(request.user):
            extra_context = {"title": _("Fiche de la structure"), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    # -- columns and fields

    @admin.display(description=_("en attente"), ordering="pending")
    def pending_count(self, structure: Structure):
        url = reverse("admin:structures_member_changelist") + f"?structure={structure.pk}"
        return format_html('<a href="{}">{}</a>', url, structure.pending)

    @admin.display(description=_("invitations"))
    def invitations_link(self, structure: Structure):
        url = reverse("admin:structures_structure_invitations", args=[structure.pk])
        return format_html('<a href="{}">{}</a>', url, _("Lien et invitations"))

    @admin.display(description=_("gestionnaires"))
    def managers_display(self, structure: Structure):
        managers = structure.managers.order_by("last_name", "first_name")
        if not managers:
            return "—"
        return format_html_join(", ", "{} ({})", ((m.get_full_name() or m.email, m.email) for m in managers))

    @admin.display(description=_("bénéficiaires acceptés"))
    def allowed_kinds_display(self, structure: Structure):
        labels = [
            label
            for value, label in Beneficiary._meta.get_field("relationship").choices
            if structure.allows(value)
        ]
        return ", ".join(str(label) for label in labels) or _("aucun")

    @admin.display(description=_("justificatifs demandés"))
    def proofs_display(self, structure: Structure):
        """Per link asked a proof, the documents accepted for it, in words."""
        labels = dict(Relationship.choices)
        documents = dict(ProofKind.choices)
        lines = [
            (
                labels[relationship],
                ", ".join(str(documents[kind]) for kind in structure.proof_kinds_for(relationship)),
            )
            for relationship in Relationship.values
            if relationship in (structure.proof_required_kinds or [])
        ]
        if not lines:
            return _("Aucun : les bénéficiaires sont déclarés sans justificatif.")
        return format_html_join(mark_safe("<br>"), "{} : {}", lines)

    @admin.display(description=_("âge limite des enfants"))
    def child_age_display(self, structure: Structure):
        if structure.child_age_limit is None:
            return _("Pas d'âge limite.")
        return _("Moins de %(age)d ans.") % {"age": structure.child_age_limit}

    @admin.display(description=_("prolongation"))
    def child_extension_display(self, structure: Structure):
        _base, extended = child_age_limits(structure)
        if extended is None:
            return _("Pas de prolongation au-delà de l'âge limite.")
        documents = dict(ProofKind.choices)
        return _(
            "Jusqu'à moins de %(age)d ans avec, chaque année, l'un de ces justificatifs : %(documents)s."
        ) % {
            "age": extended,
            "documents": ", ".join(
                str(documents[kind]).lower() for kind in structure.extended_age_proof_kinds()
            ),
        }

    @admin.display(description=_("logo actuel"))
    def logo_display(self, structure: Structure):
        if structure.pk is None or not structure.logo_path:
            return _("aucun")
        return format_html(
            '<img src="{}" alt="{}" height="48"> {}',
            structure.logo_path,
            _("Logo de %(structure)s") % {"structure": structure},
            StructureLogo.objects.get(structure=structure).description,
        )

    @admin.display(description=_("liste actuelle"))
    def roster_display(self, structure: Structure):
        return roster.roster_summary(structure)

    @admin.display(description=_("lien d'invitation"))
    def shared_link_display(self, structure: Structure):
        url = reverse("admin:structures_structure_invitations", args=[structure.pk])
        return format_html('<a href="{}">{}</a>', url, _("Voir le lien, inviter des personnes"))

    # -- the invitations page

    def get_urls(self):
        model = self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/invitations/",
                wrap(self.invitations_view),
                name=f"structures_{model}_invitations",
            ),
            path(
                "<path:object_id>/invitations/lien/",
                wrap(self.shared_link_view),
                name=f"structures_{model}_shared_link",
            ),
            path(
                "<path:object_id>/invitations/envoyer/",
                wrap(self.send_invitations_view),
                name=f"structures_{model}_send_invitations",
            ),
            path(
                "<path:object_id>/liste-du-personnel/",
                wrap(self.roster_view),
                name=f"structures_{model}_roster",
            ),
            *super().get_urls(),
        ]

    def page_structure(self, request, object_id):
        """The structure of one of its pages (invitations, staff list), as its change page finds
        it: ``None`` for another structure's id as for a missing one."""
        structure = self.get_object(request, unquote(object_id))
        if structure is not None and not self.has_view_permission(request, structure):
            raise PermissionDenied
        return structure

    def page_context(self, request: HttpRequest, structure: Structure, title: str) -> dict:
        """What every page of a structure gives its template (``structure/page.html``)."""
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": structure,
            "structure": structure,
            "title": title,
        }

    def page_response(self, request: HttpRequest, template: str, context: dict) -> HttpResponse:
        request.current_app = self.admin_site.name
        return TemplateResponse(request, template, context)

    def invitations_view(self, request: HttpRequest, object_id: str, invite_form=None) -> HttpResponse:
        """The structure's shared link (copy, expiry, regenerate, revoke) and the sending of
        personal invitations."""
        structure = self.page_structure(request, object_id)
        if structure is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        shared = structure.invitations.filter(kind=Invitation.Kind.SHARED, revoked_at__isnull=True).first()
        expiry_initial = {}
        if shared and shared.expires_at:
            expiry_initial["expires_on"] = (
                timezone.localtime(shared.expires_at) - datetime.timedelta(seconds=1)
            ).date()
        personal = structure.invitations.filter(kind=Invitation.Kind.PERSONAL).select_related("created_by")
        context = {
            **self.page_context(
                request, structure, _("Invitations de %(structure)s") % {"structure": structure}
            ),
            "shared": shared,
            "shared_url": invitation_url(shared) if shared else "",
            "expiry_form": SharedLinkExpiryForm(initial=expiry_initial),
            "invite_form": invite_form or PersonalInvitationsForm(),
            "shared_state": invitation_state_label(shared) if shared else "",
            "recent_invitations": [
                (invitation, invitation_state_label(invitation)) for invitation in personal[:20]
            ],
            "personal_count": personal.count(),
            "invitations_list_url": reverse("admin:structures_invitation_changelist")
            + f"?structure={structure.pk}",
            "can_add": request.user.has_perm("structures.add_invitation"),
            "can_change": request.user.has_perm("structures.change_invitation"),
            "has_errors": bool(invite_form is not None and invite_form.errors),
        }
        return self.page_response(request, "admin/structures/structure/invitations.html", context)

    def shared_link_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST only: create, regenerate or revoke the shared link, or set its expiry."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        structure = self.page_structure(request, object_id)
        if structure is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (
            request.user.has_perm("structures.add_invitation")
            and request.user.has_perm("structures.change_invitation")
        ):
            raise PermissionDenied
        page = reverse("admin:structures_structure_invitations", args=[structure.pk])
        operation = request.POST.get("operation")
        shared = structure.invitations.filter(kind=Invitation.Kind.SHARED, revoked_at__isnull=True).first()
        if operation == "create":
            shared_invitation_get_or_create(structure=structure, acting_user=request.user)
            message = _("Le lien d'invitation est prêt : copiez-le et envoyez-le au personnel.")
        elif operation == "regenerate":
            expires_at = shared.expires_at if shared and shared.is_usable else None
            shared_invitation_regenerate(structure=structure, acting_user=request.user, expires_at=expires_at)
            message = _("Nouveau lien créé : l'ancien ne fonctionne plus.")
        elif operation == "revoke" and shared is not None:
            invitation_revoke(invitation=shared, acting_user=request.user)
            message = _("Le lien est révoqué : plus personne ne peut s'inscrire avec lui.")
        elif operation == "expiry" and shared is not None:
            form = SharedLinkExpiryForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        self.message_user(request, error, messages.ERROR)
                return HttpResponseRedirect(page)
            try:
                invitation_set_expiry(invitation=shared, expires_at=form.expires_at, acting_user=request.user)
            except InvitationError as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(page)
            if form.expires_at is None:
                message = _("Le lien n'a plus de date d'expiration.")
            else:
                message = _("Le lien fonctionne jusqu'au %(date)s inclus.") % {
                    "date": form.cleaned_data["expires_on"].strftime("%d/%m/%Y")
                }
        else:
            self.message_user(request, _("Cette opération n'est pas possible sur ce lien."), messages.ERROR)
            return HttpResponseRedirect(page)
        self.log_change(request, structure, str(message))
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(page)

    @csrf_exempt
    def roster_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The staff list's page (``structures.admin.roster``): its upload stays in memory."""
        return roster.roster_view(self, request, object_id)

    @csrf_exempt
    def send_invitations_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Personal invitations from a pasted list or a CSV file. The upload handlers must be
        set before anything reads the request body, hence CSRF checked just after."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        request.upload_handlers = [InMemoryUploadHandler(request)]
        return csrf_protect(self._send_invitations)(request, object_id)

    def _send_invitations(self, request: HttpRequest, object_id: str) -> HttpResponse:
        structure = self.page_structure(request, object_id)
        if structure is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm("structures.add_invitation"):
            raise PermissionDenied
        form = PersonalInvitationsForm(
            request.POST, request.FILES, upload_too_large=getattr(request, "upload_too_large", False)
        )
        if not form.is_valid():
            return self.invitations_view(request, object_id, invite_form=form)
        try:
            report = invitations_send(
                structure=structure,
                emails=form.cleaned_data["emails"],
                acting_user=request.user,
                expires_at=form.cleaned_data["expires_at"],
            )
        except InvitationError as error:
            form.add_error(None, str(error))
            return self.invitations_view(request, object_id, invite_form=form)
        if report.sent:
            self.message_user(
                request,
                ngettext("%(count)d invitation envoyée.", "%(count)d invitations envoyées.", len(report.sent))
                % {"count": len(report.sent)},
                messages.SUCCESS,
            )
            self.log_change(
                request,
                structure,
                str(_("%(count)d invitation(s) personnelle(s) envoyée(s).") % {"count": len(report.sent)}),
            )
        skipped = [
            (report.duplicates, _("En double dans la liste, une seule invitation envoyée : %(list)s.")),
            (report.members, _("Déjà inscrites dans la structure, rien envoyé : %(list)s.")),
            (
                report.already_invited,
                _(
                    "Déjà invitées (invitation encore valable ; utilisez « Renvoyer » dans la liste des invitations) : %(list)s."
                ),
            ),
        ]
        for addresses, text in skipped:
            if addresses:
                self.message_user(request, text % {"list": short_list(addresses)}, messages.WARNING)
        invalid = form.cleaned_data["invalid_lines"]
        if invalid:
            lines = [f"{source} ligne {number} « {text} »" for source, number, text in invalid]
            self.message_user(
                request,
                _("Lignes ignorées, sans adresse email valide : %(list)s.") % {"list": short_list(lines)},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:structures_structure_invitations", args=[structure.pk]))
