"""The structures' workplace in the admin: the validation queue of members, the decisions, the
invitations and the structures themselves.

Every admin here is a ``ScopedAdmin``: a manager sees the objects of the structures they manage
and nothing else (see ``structures.scoping``); CE+ Services staff see everything. State changes
go through ``structures.services``.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db.models import BooleanField, Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts.admin_actions import send_activation_email
from accounts.models import Address, Consent, User
from accounts.services import password_reset_send
from beneficiaries.models import Beneficiary
from structures.forms import (
    DeactivationForm,
    PersonalInvitationsForm,
    RejectionForm,
    SharedLinkExpiryForm,
    StructureAdminForm,
)
from structures.models import Invitation, Member, MembershipDecision, Structure
from structures.scoping import ScopedAdmin, is_staff_wide, managed_structure_ids, structure_filter
from structures.services import (
    DecisionNotAllowed,
    InvitationError,
    invitation_resend,
    invitation_revoke,
    invitation_set_expiry,
    invitation_url,
    invitations_send,
    manager_invite,
    manager_remove,
    member_approve,
    member_deactivate,
    member_reactivate,
    member_reject,
    shared_invitation_get_or_create,
    shared_invitation_regenerate,
)

# Messages list at most this many names or addresses, then say how many more.
MESSAGE_LIST_LIMIT = 10


def status_label(value: str) -> str:
    """A status value in words ("En attente de validation"), whatever it is."""
    try:
        return str(User.Status(value).label)
    except ValueError:
        return value or "—"


def short_list(items: list[str]) -> str:
    shown = ", ".join(str(item) for item in items[:MESSAGE_LIST_LIMIT])
    rest = len(items) - MESSAGE_LIST_LIMIT
    if rest > 0:
        shown += ngettext(" et %(count)d autre", " et %(count)d autres", rest) % {"count": rest}
    return shown


def local_datetime(value: datetime.datetime | None) -> str:
    if value is None:
        return "—"
    return date_format(timezone.localtime(value), "d/m/Y H:i")


def invitation_state_label(invitation: Invitation) -> str:
    """Sent (and when), used, expired or revoked."""
    state = invitation.state
    if state == Invitation.State.ACTIVE and invitation.sent_at:
        return str(_("Envoyée le %(date)s") % {"date": local_datetime(invitation.sent_at)})
    if state == Invitation.State.USED:
        return str(_("Utilisée le %(date)s") % {"date": local_datetime(invitation.used_at)})
    return str(Invitation.State(state).label)


# --- Read-only inlines of a member's page --------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """What the member sent, shown as it is: nobody edits it from here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AddressInline(ReadOnlyInline, admin.StackedInline):
    model = Address
    fields = ["line1", "line2", "postal_code", "city", "country"]
    verbose_name_plural = _("adresse de livraison")


class BeneficiaryInline(ReadOnlyInline):
    model = Beneficiary
    fk_name = "member"
    fields = ["relationship", "last_name", "first_name", "birth_date"]


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ["document_link", "accepted_at", "ip_address"]
    readonly_fields = ["document_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document")

    @admin.display(description=_("document accepté"))
    def document_link(self, consent: Consent) -> str:
        return format_html('<a href="{}">{}</a>', consent.get_absolute_url(), consent.document)


class DecisionInline(ReadOnlyInline):
    model = MembershipDecision
    fk_name = "member"
    fields = ["created_at", "acting_user", "from_label", "to_label", "reason"]
    readonly_fields = ["from_label", "to_label"]
    verbose_name_plural = _("historique des décisions")
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("acting_user")

    @admin.display(description=_("ancien statut"))
    def from_label(self, decision: MembershipDecision) -> str:
        return status_label(decision.from_status)

    @admin.display(description=_("nouveau statut"))
    def to_label(self, decision: MembershipDecision) -> str:
        return status_label(decision.to_status)


# --- The validation queue ------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """The queue opens on the registrations that wait; every choice shows its count."""

    title = _("statut")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*User.Status.choices, (self.ALL, _("Tous"))]

    def value(self):
        return super().value() or User.Status.PENDING

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if value not in User.Status.values:
            return queryset.none()
        return queryset.filter(status=value)

    def choices(self, changelist):
        # One GROUP BY over the list as the other filters and the search leave it.
        rows = (
            changelist.get_queryset(self.request, exclude_parameters=self.expected_parameters())
            .order_by()
            .values("status")
            .annotate(count=Count("pk"))
        )
        counts = {row["status"]: row["count"] for row in rows}
        for value, label in self.lookup_choices:
            count = sum(counts.values()) if value == self.ALL else counts.get(value, 0)
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": f"{label} ({count})",
            }


class RequestDateFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("date de la demande")


@dataclass(frozen=True)
class DecisionSpec:
    """One decision as the admin offers it: the service that makes it and its wording."""

    service: Any
    form_class: type | None
    title: str
    button: str
    done: tuple[str, str]
    slug: str


DECISIONS = {
    "valider": DecisionSpec(
        service=member_approve,
        form_class=None,
        title=_("Valider l'inscription"),
        button=_("Valider"),
        done=("%(count)d inscription validée.", "%(count)d inscriptions validées."),
        slug="valider",
    ),
    "refuser": DecisionSpec(
        service=member_reject,
        form_class=RejectionForm,
        title=_("Refuser l'inscription"),
        button=_("Refuser"),
        done=("%(count)d inscription refusée.", "%(count)d inscriptions refusées."),
        slug="refuser",
    ),
    "desactiver": DecisionSpec(
        service=member_deactivate,
        form_class=DeactivationForm,
        title=_("Désactiver l'accès"),
        button=_("Désactiver"),
        done=("%(count)d accès désactivé.", "%(count)d accès désactivés."),
        slug="desactiver",
    ),
    "reactiver": DecisionSpec(
        service=member_reactivate,
        form_class=None,
        title=_("Réactiver l'accès"),
        button=_("Réactiver"),
        done=("%(count)d accès réactivé.", "%(count)d accès réactivés."),
        slug="reactiver",
    ),
}

# Which decisions a member's page offers, by status.
DECISIONS_BY_STATUS = {
    User.Status.PENDING: ["valider", "refuser"],
    User.Status.REJECTED: ["valider"],
    User.Status.APPROVED: ["desactiver"],
    User.Status.DEACTIVATED: ["reactiver"],
}


class Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (or tab, CR) would make it a formula."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


EXPORT_COLUMNS = [
    (_("Nom"), lambda m: m.last_name),
    (_("Prénom"), lambda m: m.first_name),
    (pgettext_lazy("libellé", "Email"), lambda m: m.email),
    (_("Email confirmé"), lambda m: _("oui") if m.email_verified else _("non")),
    (_("Téléphone"), lambda m: m.phone.as_national if m.phone else ""),
    (_("Fonction"), lambda m: m.job_title.name if m.job_title else ""),
    (_("Structure"), lambda m: m.structure.name),
    (_("Statut"), lambda m: m.get_status_display()),
    (_("Date de la demande"), lambda m: local_datetime(m.date_joined)),
    (
        _("Date de la dernière décision"),
        lambda m: local_datetime(m.status_changed_at) if m.status_changed_at else "",
    ),
    (_("Adresse"), lambda m: m.export_address.line1 if m.export_address else ""),
    (_("Complément d'adresse"), lambda m: m.export_address.line2 if m.export_address else ""),
    (_("Code postal"), lambda m: m.export_address.postal_code if m.export_address else ""),
    (_("Ville"), lambda m: m.export_address.city if m.export_address else ""),
    (_("Pays"), lambda m: m.export_address.country if m.export_address else ""),
    (_("Nombre de bénéficiaires"), lambda m: m.beneficiary_count),
]


def member_address(member: User) -> Address | None:
    try:
        return member.address
    except Address.DoesNotExist:
        return None


def members_csv_response(queryset) -> StreamingHttpResponse:
    """The members of ``queryset`` as a CSV file for Excel: UTF-8 with BOM, ";" separator,
    French headers, streamed so that a long list never sits in memory."""
    writer = csv.writer(Echo(), delimiter=";", lineterminator="\r\n")

    def rows():
        yield "\ufeff"
        yield writer.writerow([str(title) for title, _value in EXPORT_COLUMNS])
        members = queryset.select_related("job_title", "structure", "address")
        for member in members.iterator(chunk_size=2000):
            member.export_address = member_address(member)
            yield writer.writerow([csv_cell(value(member)) for _title, value in EXPORT_COLUMNS])

    filename = f"ouvrants-droit-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    """The validation queue: a structure's members, pending ones first."""

    structure_path = "structure"
    list_display = [
        "full_name",
        "email_display",
        "job_title",
        "structure",
        "requested_on",
        "beneficiary_count",
        "status",
    ]
    list_display_links = ["full_name"]
    list_select_related = ["job_title", "structure"]
    list_filter = [StatusFilter, structure_filter("structure"), ("date_joined", RequestDateFilter)]
    filterable_fields = ("date_joined",)
    search_fields = ["last_name", "first_name", "email"]
    search_help_text = _("Nom, prénom ou adresse email.")
    ordering = ["-date_joined"]
    list_per_page = 50
    # The total without filters would cost one more count over every member.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    inlines = [AddressInline, BeneficiaryInline, ConsentInline, DecisionInline]
    actions = [
        "approve_selected",
        "reject_selected",
        "deactivate_selected",
        "reactivate_selected",
        "send_password_reset",
        send_activation_email,
        "export_selected",
    ]
    fieldsets = [
        (
            _("Identité"),
            {"fields": ["last_name", "first_name", "email", "email_status", "phone", "job_title"]},
        ),
        (
            _("Inscription"),
            {
                "fields": [
                    "structure",
                    "date_joined",
                    "invitation_display",
                    "status",
                    "status_reason",
                    "status_changed_at",
                    "last_login",
                ]
            },
        ),
    ]
    readonly_fields = [
        "email",
        "email_status",
        "date_joined",
        "invitation_display",
        "status",
        "status_reason",
        "status_changed_at",
        "last_login",
    ]

    # -- queryset and permissions

    def get_queryset(self, request):
        beneficiaries = (
            Beneficiary.objects.filter(member=OuterRef("pk"))
            .order_by()
            .values("member")
            .annotate(count=Count("pk"))
            .values("count")
        )
        verified = EmailAddress.objects.filter(
            user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
        )
        return (
            super()
            .get_queryset(request)
            .filter(structure__isnull=False)
            .annotate(
                beneficiary_count=Coalesce(Subquery(beneficiaries, output_field=IntegerField()), Value(0)),
                # A correlated LIMIT 1 rather than EXISTS: PostgreSQL turns EXISTS into a hash
                # join over every email address of the site (61 ms at 100,000 members, on each
                # page of the queue); this reads the page's own rows only (under 2 ms).
                email_verified=Coalesce(
                    Subquery(verified.values("verified")[:1], output_field=BooleanField()), Value(False)
                ),
            )
        )

    def has_add_permission(self, request):
        # Members sign up through their structure's invitation.
        return False

    def has_delete_permission(self, request, obj=None):
        # Erasing a member's data is the member area's "supprimer mon compte" or the purge.
        return False

    def has_decide_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("structures.decide_member")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_staff_wide(request.user):
            fields.append("structure")
        return fields

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        ids = managed_structure_ids(request)
        if ids is not None and len(ids) < 2:
            fields.remove("structure")
        if request.GET.get(StatusFilter.parameter_name) != StatusFilter.ALL:
            # One status on screen: the filter already says which.
            fields.remove("status")
        return fields

    # -- columns and fields

    @admin.display(description=_("nom"), ordering="last_name")
    def full_name(self, member: User) -> str:
        return f"{member.last_name} {member.first_name}".strip() or member.email

    @admin.display(description=pgettext_lazy("libellé", "Email"), ordering="email")
    def email_display(self, member: User) -> str:
        state = (
            _("adresse confirmée") if getattr(member, "email_verified", False) else _("adresse non confirmée")
        )
        return format_html('{}<br><span class="email-state">{}</span>', member.email, state)

    @admin.display(description=_("date de la demande"), ordering="date_joined")
    def requested_on(self, member: User) -> str:
        return local_datetime(member.date_joined)

    @admin.display(description=_("bénéficiaires"), ordering="beneficiary_count")
    def beneficiary_count(self, member: User) -> int:
        return member.beneficiary_count

    @admin.display(description=_("adresse email confirmée"))
    def email_status(self, member: User) -> str:
        return (
            _("oui")
            if getattr(member, "email_verified", False)
            else _("non, la personne n'a pas encore cliqué sur le lien de confirmation")
        )

    @admin.display(description=_("invitation utilisée"))
    def invitation_display(self, member: User) -> str:
        invitation = member.invitation
        if invitation is None:
            return "—"
        if invitation.kind == Invitation.Kind.PERSONAL:
            text = _("Invitation personnelle envoyée à %(email)s") % {"email": invitation.email}
        else:
            text = _("Lien partagé de %(structure)s") % {"structure": invitation.structure}
        details = _("créée le %(date)s, %(state)s") % {
            "date": local_datetime(invitation.created_at),
            "state": Invitation.State(invitation.state).label.lower(),
        }
        return f"{text} ({details})"

    # -- pages

    def get_urls(self):
        model = self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name=f"structures_{model}_export"),
            path(
                "<path:object_id>/decision/<slug:decision>/",
                wrap(self.decision_view),
                name=f"structures_{model}_decision",
            ),
            path(
                "<path:object_id>/reinitialiser-mot-de-passe/",
                wrap(self.password_reset_view),
                name=f"structures_{model}_password_reset",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        waiting = request.GET.get(StatusFilter.parameter_name, User.Status.PENDING) == User.Status.PENDING
        extra_context = {
            "title": _("Inscriptions à valider") if waiting else _("Ouvrants-droit"),
            "export_url": reverse("admin:structures_member_export")
            + ("?" + request.GET.urlencode() if request.GET else ""),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        member = self.get_object(request, unquote(object_id))
        if member is not None:
            extra_context["title"] = _("Fiche de l'ouvrant-droit")
            allowed = (
                DECISIONS_BY_STATUS.get(member.status, []) if self.has_decide_permission(request) else []
            )
            extra_context["decisions"] = [
                {
                    "spec": DECISIONS[key],
                    "url": reverse("admin:structures_member_decision", args=[member.pk, key]),
                    "needs_confirmation": DECISIONS[key].form_class is not None,
                }
                for key in allowed
            ]
            if self.has_change_permission(request, member) and member.is_active:
                extra_context["password_reset_url"] = reverse(
                    "admin:structures_member_password_reset", args=[member.pk]
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def decision_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        """One decision on one member: a confirmation page (with the reason for a refusal),
        then the service."""
        member = self.get_object(request, unquote(object_id))
        if member is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        spec = DECISIONS.get(decision)
        if spec is None or not self.has_decide_permission(request):
            raise PermissionDenied
        form = spec.form_class(request.POST or None) if spec.form_class else None
        change_url = reverse("admin:structures_member_change", args=[member.pk])
        seen_status = request.POST.get("seen_status")
        if request.method == "POST" and seen_status and seen_status != member.status:
            # The page the decision was made on is out of date.
            self.message_user(
                request,
                _(
                    "%(member)s : le statut a changé entre-temps (désormais « %(status)s ») ; rien n'a été fait."
                )
                % {"member": member, "status": member.get_status_display()},
                messages.WARNING,
            )
            return HttpResponseRedirect(change_url)
        if request.method == "POST" and (form is None or form.is_valid()):
            self._decide(request, [member], spec, form)
            return HttpResponseRedirect(change_url)
        return self._confirmation(request, [member], spec, form, cancel_url=change_url, single=True)

    def password_reset_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        member = self.get_object(request, unquote(object_id))
        if member is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, member):
            raise PermissionDenied
        send_password_resets(self, request, [member])
        return HttpResponseRedirect(reverse("admin:structures_member_change", args=[member.pk]))

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as it is filtered and searched on screen, all pages, as a CSV file."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except (IncorrectLookupParameters, DisallowedModelAdminLookup):
            self.message_user(request, _("Ce filtre n'est pas disponible."), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:structures_member_changelist"))
        return members_csv_response(changelist.get_queryset(request))

    # -- decisions

    def _decide(self, request, members, spec: DecisionSpec, form) -> None:
        kwargs = {}
        if form is not None:
            kwargs["reason"] = form.cleaned_data["reason"]
        done, refused = 0, []
        for member in members:
            try:
                spec.service(member=member, acting_user=request.user, **kwargs)
            except DecisionNotAllowed as refusal:
                refused.append(str(refusal))
            except PermissionDenied:
                refused.append(str(_("%(member)s : hors de vos structures.") % {"member": member}))
            else:
                done += 1
        if done:
            self.message_user(request, ngettext(*spec.done, done) % {"count": done}, messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d personne laissée telle quelle : %(list)s",
                    "%(count)d personnes laissées telles quelles : %(list)s",
                    len(refused),
                )
                % {"count": len(refused), "list": short_list(refused)},
                messages.WARNING,
            )

    def _confirmation(self, request, members, spec: DecisionSpec, form, *, cancel_url: str, single: bool):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": spec.title,
            "spec": spec,
            "members": members,
            "form": form,
            "single": single,
            "cancel_url": cancel_url,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action_name": request.POST.get("action", ""),
            "has_errors": bool(form is not None and form.is_bound and form.errors),
            "seen_status": request.POST.get("seen_status")
            or request.GET.get("seen_status")
            or members[0].status,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/structures/member/decision_confirmation.html", context)

    def _bulk(self, request, queryset, key: str):
        spec = DECISIONS[key]
        members = list(queryset.order_by("last_name", "first_name"))
        if spec.form_class is None:
            self._decide(request, members, spec, None)
            return None
        form = spec.form_class(request.POST if request.POST.get("post") else None)
        if form.is_bound and form.is_valid():
            self._decide(request, members, spec, form)
            return None
        return self._confirmation(
            request, members, spec, form, cancel_url=request.get_full_path(), single=False
        )

    @admin.action(description=_("Valider les inscriptions sélectionnées"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        return self._bulk(request, queryset, "valider")

    @admin.action(description=_("Refuser les inscriptions sélectionnées…"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return self._bulk(request, queryset, "refuser")

    @admin.action(description=_("Désactiver l'accès des personnes sélectionnées…"), permissions=["decide"])
    def deactivate_selected(self, request, queryset):
        return self._bulk(request, queryset, "desactiver")

    @admin.action(description=_("Réactiver l'accès des personnes sélectionnées"), permissions=["decide"])
    def reactivate_selected(self, request, queryset):
        return self._bulk(request, queryset, "reactiver")

    @admin.action(
        description=_("Envoyer un lien de réinitialisation du mot de passe"), permissions=["change"]
    )
    def send_password_reset(self, request, queryset):
        send_password_resets(self, request, list(queryset))

    @admin.action(description=_("Exporter la sélection (CSV)"), permissions=["view"])
    def export_selected(self, request, queryset):
        return members_csv_response(queryset)


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


# --- Structures and their invitations ------------------------------------------------------------

# The CSV of personal invitations is read in memory and never written to disk; a bigger request
# is refused with a message rather than spilled to a temporary file.
MAX_INVITATION_REQUEST_BYTES = 1_300_000


class InMemoryUploadHandler(MemoryFileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= MAX_INVITATION_REQUEST_BYTES
        if not self.activated:
            self.request.upload_too_large = True


@admin.register(Structure)
class StructureAdmin(ScopedAdmin):
    """Staff create structures, set their rules and managers; a manager sees their own
    structures (read only) and reaches their invitation tools from here."""

    structure_path = "pk"
    list_display = ["name", "kind", "pending_count", "notification", "invitations_link"]
    list_filter = ["kind", "notification"]
    search_fields = ["name"]
    ordering = ["name"]
    readonly_fields = ["managers_display", "allowed_kinds_display", "shared_link_display"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(pending=Count("members", filter=Q(members__status=User.Status.PENDING)))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if is_staff_wide(request.user):
            kwargs["form"] = StructureAdminForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if is_staff_wide(request.user):
            manager_fields = ["new_manager_email", "new_manager_first_name", "new_manager_last_name"]
            if obj is not None:
                manager_fields.insert(0, "managers_kept")
            return [
                (None, {"fields": ["name", "kind"]}),
                (
                    _("Règles des bénéficiaires"),
                    {"fields": ["allowed_beneficiary_kinds", "child_age_limit", "child_age_reference"]},
                ),
                (_("Notifications"), {"fields": ["notification"]}),
                (_("Gestionnaires"), {"fields": manager_fields}),
            ]
        return [
            (None, {"fields": ["name", "kind", "shared_link_display"]}),
            (
                _("Règles des bénéficiaires"),
                {"fields": ["allowed_kinds_display", "child_age_limit", "child_age_reference"]},
            ),
            (_("Notifications"), {"fields": ["notification"]}),
            (_("Gestionnaires"), {"fields": ["managers_display"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if is_staff_wide(request.user):
            return []
        return [
            "name",
            "kind",
            "shared_link_display",
            "allowed_kinds_display",
            "child_age_limit",
            "child_age_reference",
            "notification",
            "managers_display",
        ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            shared_invitation_get_or_create(structure=obj, acting_user=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        structure = form.instance
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
            *super().get_urls(),
        ]

    def _invitation_structure(self, request, object_id):
        structure = self.get_object(request, unquote(object_id))
        if structure is not None and not self.has_view_permission(request, structure):
            raise PermissionDenied
        return structure

    def invitations_view(self, request: HttpRequest, object_id: str, invite_form=None) -> HttpResponse:
        """The structure's shared link (copy, expiry, regenerate, revoke) and the sending of
        personal invitations."""
        structure = self._invitation_structure(request, object_id)
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
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": structure,
            "structure": structure,
            "title": _("Invitations de %(structure)s") % {"structure": structure},
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
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/structures/structure/invitations.html", context)

    def shared_link_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST only: create, regenerate or revoke the shared link, or set its expiry."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        structure = self._invitation_structure(request, object_id)
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
    def send_invitations_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Personal invitations from a pasted list or a CSV file. The upload handlers must be
        set before anything reads the request body, hence CSRF checked just after."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        request.upload_handlers = [InMemoryUploadHandler(request)]
        return csrf_protect(self._send_invitations)(request, object_id)

    def _send_invitations(self, request: HttpRequest, object_id: str) -> HttpResponse:
        structure = self._invitation_structure(request, object_id)
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


class InvitationStateFilter(admin.SimpleListFilter):
    title = _("statut")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Invitation.State.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        live = Q(revoked_at__isnull=True, used_at__isnull=True)
        conditions = {
            Invitation.State.ACTIVE: live & (Q(expires_at__isnull=True) | Q(expires_at__gt=now)),
            Invitation.State.USED: Q(revoked_at__isnull=True, used_at__isnull=False),
            Invitation.State.EXPIRED: live & Q(expires_at__lte=now),
            Invitation.State.REVOKED: Q(revoked_at__isnull=False),
        }
        if value is None:
            return queryset
        if value not in conditions:
            return queryset.none()
        return queryset.filter(conditions[value])


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    """The structures' invitations and what became of them; resend or revoke from the list."""

    structure_path = "structure"
    list_display = [
        "recipient",
        "structure",
        "state_display",
        "sent_at",
        "expires_at",
        "used_at",
        "created_by",
    ]
    list_select_related = ["structure", "created_by"]
    list_filter = [InvitationStateFilter, "kind", structure_filter("structure")]
    search_fields = ["email"]
    ordering = ["-created_at"]
    actions = ["resend_selected", "revoke_selected"]
    fields = [
        "structure",
        "kind",
        "email",
        "link",
        "state_display",
        "created_at",
        "created_by",
        "sent_at",
        "expires_at",
        "used_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        # Invitations are made from the structure's invitation page.
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing to edit on an invitation itself; resending or revoking (from the list) is a
        # change of it.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # An invitation is revoked, never deleted: the registrations made with it refer to it.
        return False

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        ids = managed_structure_ids(request)
        if ids is not None and len(ids) < 2:
            fields.remove("structure")
        return fields

    @admin.display(description=_("destinataire"), ordering="email")
    def recipient(self, invitation: Invitation) -> str:
        return invitation.email or invitation.get_kind_display()

    @admin.display(description=_("statut"))
    def state_display(self, invitation: Invitation) -> str:
        return invitation_state_label(invitation)

    @admin.display(description=_("lien"))
    def link(self, invitation: Invitation) -> str:
        return invitation_url(invitation) if invitation.is_usable else "—"

    @admin.action(description=_("Renvoyer les invitations sélectionnées"), permissions=["change"])
    def resend_selected(self, request, queryset):
        sent, refused = [], []
        for invitation in queryset.select_related("structure"):
            try:
                invitation_resend(invitation=invitation, acting_user=request.user)
            except InvitationError as error:
                refused.append(str(error))
            else:
                sent.append(invitation.email)
        if sent:
            self.message_user(
                request,
                ngettext(
                    "Invitation renvoyée à %(list)s.",
                    "%(count)d invitations renvoyées : %(list)s.",
                    len(sent),
                )
                % {"count": len(sent), "list": short_list(sent)},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, short_list(refused), messages.WARNING)

    @admin.action(description=_("Révoquer les invitations sélectionnées"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        count = 0
        for invitation in queryset.filter(revoked_at__isnull=True):
            invitation_revoke(invitation=invitation, acting_user=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d invitation révoquée.", "%(count)d invitations révoquées.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class DecisionStatusFilter(admin.SimpleListFilter):
    title = _("nouveau statut")
    parameter_name = "to_status"

    def lookups(self, request, model_admin):
        return User.Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in User.Status.values:
            return queryset.none()
        return queryset.filter(to_status=value)


@admin.register(MembershipDecision)
class MembershipDecisionAdmin(ScopedAdmin):
    """The audit trail of decisions: who, when, from which status to which, why. Read only."""

    structure_path = "structure"
    list_display = [
        "created_at",
        "member_link",
        "structure",
        "from_label",
        "to_label",
        "acting_user",
        "reason",
    ]
    list_select_related = ["member", "structure", "acting_user"]
    list_filter = [DecisionStatusFilter, structure_filter("structure")]
    search_fields = ["member__last_name", "member__email", "reason"]
    ordering = ["-created_at"]
    fields = ["created_at", "member_link", "structure", "from_label", "to_label", "acting_user", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ouvrant-droit"), ordering="member__last_name")
    def member_link(self, decision: MembershipDecision) -> str:
        if decision.member is None:
            return _("(compte supprimé)")
        url = reverse("admin:structures_member_change", args=[decision.member_id])
        return format_html('<a href="{}">{}</a>', url, decision.member)

    @admin.display(description=_("ancien statut"))
    def from_label(self, decision: MembershipDecision) -> str:
        return status_label(decision.from_status)

    @admin.display(description=_("nouveau statut"))
    def to_label(self, decision: MembershipDecision) -> str:
        return status_label(decision.to_status)
