"""The validation queue: a structure's members, pending ones first, and the decisions on them."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from html import escape
from types import SimpleNamespace
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.admin_actions import (
    may_reset_second_factor,
    reset_second_factor,
    send_activation_email,
    send_password_resets,
)
from accounts.models import Address, Consent, Event, User
from accounts.services import profile_update
from beneficiaries.entitlement import standings
from beneficiaries.models import Beneficiary, Proof
from beneficiaries.rules import household_in_words
from ceplus.admin_base import changes_table
from ceplus.csv_files import csv_download
from ceplus.text import days_in_words, short_list
from structures import lifecycle
from structures.admin.common import (
    ReadOnlyInline,
    local_datetime,
)
from structures.admin.forms import (
    DeactivationForm,
    RejectionForm,
)
from structures.lifecycle import Transition, admin_transitions_from
from structures.models import Invitation, Member, MembershipDecision, status_label
from structures.roster.matching import (
    Match,
    annotate_match,
    departures,
    match_filter,
    match_label,
    member_match,
)
from structures.scoping import ScopedAdmin, is_staff_wide, structure_filter
from structures.services import DecisionNotAllowed, MoveNotAllowed, member_move, member_transition


class AddressInline(ReadOnlyInline, admin.StackedInline):
    model = Address
    fields = ["line1", "line2", "postal_code", "city", "country"]
    verbose_name_plural = _("adresse de livraison")


class BeneficiaryInline(ReadOnlyInline):
    model = Beneficiary
    fk_name = "member"
    fields = ["relationship", "last_name", "first_name", "birth_date", "standing_display"]
    readonly_fields = ["standing_display"]

    @admin.display(description=_("situation aujourd'hui"))
    def standing_display(self, beneficiary: Beneficiary) -> str:
        """The state the member reads too ("Justificatif envoyé, à vérifier"…), with the way to
        the proof waiting for a decision."""
        beneficiary = Beneficiary.objects.select_related("member__structure").get(pk=beneficiary.pk)
        (entry,) = standings([beneficiary], timezone.localdate()) or [None]
        if entry is None:
            return "—"
        waiting = beneficiary.proofs.filter(status=Proof.Status.PENDING).order_by("-sent_at").first()
        if waiting is None:
            return entry.standing.label
        url = reverse("admin:beneficiaries_proof_change", args=[waiting.pk])
        return format_html(
            '{} — <a href="{}">{}</a>', entry.standing.label, url, _("vérifier le justificatif")
        )


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


class EventInline(ReadOnlyInline):
    """Who changed what of the member's account (profile, address, reset links…), and when."""

    model = Event
    fk_name = "member"
    fields = ["created_at", "kind", "acting_user", "changes_display"]
    readonly_fields = ["changes_display"]
    verbose_name_plural = _("historique des modifications")
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("acting_user")

    @admin.display(description=_("modifications"))
    def changes_display(self, event: Event) -> str:
        return changes_table(event.changes, event.description)


class StatusFilter(admin.SimpleListFilter):
    """The queue opens on the registrations that wait; every choice shows its count."""

    title = _("statut")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*User.Status.choices, (self.ALL, _("Tous"))]

    def value(self):
        if super().value():
            return super().value()
        if self.request.GET.get(RosterFilter.parameter_name) == RosterFilter.DEPARTURES:
            # The departures are validated members: the list opens on them.
            return User.Status.APPROVED
        return User.Status.PENDING

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if value not in User.Status.values:
            return queryset.none()
        return queryset.filter(status=value)

    def choices(self, changelist):
        # One GROUP BY over the list as the other filters and the search leave it. COUNT(*), not
        # COUNT(id): PostgreSQL may then answer from the queue's index alone.
        rows = (
            changelist.get_queryset(self.request, exclude_parameters=self.expected_parameters())
            .order_by()
            .values("status")
            .annotate(count=Count("*"))
        )
        counts = {row["status"]: row["count"] for row in rows}
        for value, label in self.lookup_choices:
            count = sum(counts.values()) if value == self.ALL else counts.get(value, 0)
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": f"{label} ({count})",
            }


class RosterFilter(admin.SimpleListFilter):
    """How each member compares with their structure's staff list, and the departures: the
    validated members the list says have left (past their date de sortie, or gone from it)."""

    title = _("liste du personnel")
    parameter_name = "liste"
    DEPARTURES = "departs"

    def lookups(self, request, model_admin):
        return [*Match.choices, (self.DEPARTURES, _("Départs à traiter"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == self.DEPARTURES:
            return departures(queryset)
        if value not in Match.values:
            return queryset.none()
        return queryset.filter(match_filter(value))


class RequestDateFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("date de la demande")


@dataclass(frozen=True)
class DecisionSpec:
    """One transition of the life cycle (``structures.lifecycle``) as the admin offers it: its
    form (the reason) and its wording."""

    transition: Transition
    form_class: type | None
    title: str
    button: str
    done: tuple[str, str]
    # A registration decided from its page: the button, and what the message says was done.
    next_button: str | None = None
    done_one: str = ""


# The decisions the admin offers, by their transition's key (the page's URL says it).
DECISIONS = {
    spec.transition.key: spec
    for spec in (
        DecisionSpec(
            transition=lifecycle.APPROVE,
            form_class=None,
            title=_("Valider l'inscription"),
            button=_("Valider"),
            done=("%(count)d inscription validée.", "%(count)d inscriptions validées."),
            next_button=_("Valider et passer à la suivante"),
            done_one=_("Inscription de %(member)s validée."),
        ),
        DecisionSpec(
            transition=lifecycle.REJECT,
            form_class=RejectionForm,
            title=_("Refuser l'inscription"),
            button=_("Refuser"),
            done=("%(count)d inscription refusée.", "%(count)d inscriptions refusées."),
            next_button=_("Refuser"),
            done_one=_("Inscription de %(member)s refusée."),
        ),
        DecisionSpec(
            transition=lifecycle.DEACTIVATE,
            form_class=DeactivationForm,
            title=_("Désactiver l'accès"),
            button=_("Désactiver"),
            done=("%(count)d accès désactivé.", "%(count)d accès désactivés."),
        ),
        DecisionSpec(
            transition=lifecycle.REACTIVATE,
            form_class=None,
            title=_("Réactiver l'accès"),
            button=_("Réactiver"),
            done=("%(count)d accès réactivé.", "%(count)d accès réactivés."),
        ),
    )
}


# The member's page edits the identity when asked (its own link); the filters of the list the
# manager came from travel with her (Django's name for them).
IDENTITY_PARAMETER = "identite"
PRESERVED_FILTERS = "_changelist_filters"


def job_title_text(member: User) -> str:
    """The member's fonction: a title of the list, or "Autre : …" as the member typed it."""
    if member.job_title is not None:
        return member.job_title.name
    if member.job_title_other:
        return _("Autre : %(job_title)s") % {"job_title": member.job_title_other}
    return ""


EXPORT_COLUMNS = [
    (_("Nom"), lambda m: m.last_name),
    (_("Prénom"), lambda m: m.first_name),
    (pgettext_lazy("libellé", "Email"), lambda m: m.email),
    (_("Email confirmé"), lambda m: _("oui") if m.email_verified else _("non")),
    (_("Téléphone"), lambda m: m.phone.as_national if m.phone else ""),
    (_("Fonction"), job_title_text),
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
    (_("Liste du personnel"), lambda m: match_label(m.roster_match)),
]


def member_address(member: User) -> Address | None:
    try:
        return member.address
    except Address.DoesNotExist:
        return None


def members_csv_response(queryset) -> StreamingHttpResponse:
    """The members of ``queryset`` as a CSV file for Excel (``ceplus.csv_files.csv_download``),
    French headers, read in chunks so that a long list never sits in memory."""

    def rows():
        members = (
            queryset.defer(None).prefetch_related(None).select_related("job_title", "structure", "address")
        )
        for member in members.iterator(chunk_size=2000):
            member.export_address = member_address(member)
            yield [value(member) for _title, value in EXPORT_COLUMNS]

    return csv_download(
        f"ouvrants-droit-{timezone.localdate():%Y-%m-%d}.csv",
        [title for title, _value in EXPORT_COLUMNS],
        rows(),
    )


def cell(text: str, detail: str, detail_class: str = "row-detail") -> str:
    """A cell of the queue: its text, and a detail under it. The rows' cells are built with the
    standard library's escape (the same HTML as Django's, without its lazy-string checks, which
    cost on each of the page's 50 rows × 5 columns)."""
    return mark_safe(f'{escape(text)}<br><span class="{detail_class}">{escape(detail)}</span>')  # noqa: S308


def queue_today(member: User):
    """Today, as the queue's page computed it once for its rows."""
    return getattr(member, "queue_today", None) or timezone.localdate()


def waiting_in_words(days: int) -> str:
    """How long a registration waits, as the queue says it: "depuis 3 jours"."""
    return gettext("depuis %(duration)s") % {"duration": days_in_words(days)}


def with_match(queryset):
    """``queryset`` with each member's staff-list match (``roster_match``), once: the rows and
    the filter need it, the counts per status do not."""
    if "roster_match" in queryset.query.annotations:
        return queryset
    return annotate_match(queryset)


class MemberChangeList(ChangeList):
    """The queue's rows carry what each one shows: the household (one query for the page), and
    not the phone, which the list does not show (parsing it costs on every row)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if exclude_parameters is not None:
            # A filter counting its choices (the counts per status): no rows to show.
            return queryset
        household = Beneficiary.objects.only("member_id", "relationship", "birth_date").order_by(
            "relationship", "birth_date"
        )
        return with_match(queryset.defer("phone")).prefetch_related(
            Prefetch("beneficiaries", queryset=household)
        )

    # A stand-in for the member's id in the change page's address, reversed once per page.
    PK_PLACEHOLDER = "00000000"

    def url_for_result(self, result):
        """The member's page, as Django's ``reverse`` gives it, without a ``reverse`` per row."""
        if not hasattr(self, "_change_url"):
            self._change_url = super().url_for_result(
                SimpleNamespace(**{self.pk_attname: self.PK_PLACEHOLDER})
            )
        return self._change_url.replace(f"/{self.PK_PLACEHOLDER}/", f"/{quote(result.pk)}/", 1)

    def get_results(self, request):
        super().get_results(request)
        # Today once for the page, not once per row and column (the time zone's lookup costs).
        today = timezone.localdate()
        for member in self.result_list:
            member.queue_today = today


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    """The validation queue: a structure's members, pending ones first."""

    structure_path = "structure"
    structure_column = "structure"
    list_display = [
        "full_name",
        "email_display",
        "waiting_display",
        "household_display",
        "roster_display",
        "structure",
        "status",
    ]
    list_display_links = ["full_name"]
    list_select_related = ["job_title", "structure"]
    list_filter = [
        StatusFilter,
        RosterFilter,
        structure_filter("structure"),
        ("date_joined", RequestDateFilter),
    ]
    filterable_fields = ("date_joined",)
    search_fields = ["last_name", "first_name", "email"]
    search_help_text = _("Nom, prénom ou adresse email.")
    # The longest waiting first: the queue is served in the order it came in.
    ordering = ["date_joined", "pk"]
    list_per_page = 50
    # The total without filters would cost one more count over every member.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    inlines = [AddressInline, BeneficiaryInline, ConsentInline, DecisionInline, EventInline]
    actions = [
        "approve_selected",
        "reject_selected",
        "deactivate_selected",
        "reactivate_selected",
        "send_password_reset",
        send_activation_email,
        reset_second_factor,
        "export_selected",
    ]
    fieldsets = [
        (
            _("Identité"),
            {
                "fields": [
                    "last_name",
                    "first_name",
                    "email",
                    "email_status",
                    "phone",
                    "job_title",
                    "job_title_other",
                ]
            },
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
        queryset = (
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
        return queryset

    def get_changelist(self, request, **kwargs):
        return MemberChangeList

    def has_add_permission(self, request):
        # Members sign up through their structure's invitation.
        return False

    def has_delete_permission(self, request, obj=None):
        # Erasing a member's data is the member area's "supprimer mon compte" or the purge.
        return False

    def has_reset_second_factor_permission(self, request) -> bool:
        return may_reset_second_factor(request)

    def has_decide_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("structures.decide_member")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self._editing_identity(request):
            return flatten_fieldsets(self.get_fieldsets(request, obj))
        fields = list(super().get_readonly_fields(request, obj))
        if not is_staff_wide(request.user):
            fields.append("structure")
        return fields

    def save_model(self, request, obj, form, change):
        """The member's page writes through the services: the identity fields with their
        history (who, before → after), and a new structure as a decision of its own, recorded
        and emailed (staff only: managers never see the field)."""
        member = User.objects.get(pk=obj.pk)
        profile_update(
            member=member,
            last_name=obj.last_name,
            first_name=obj.first_name,
            job_title=obj.job_title,
            job_title_other=obj.job_title_other,
            phone=obj.phone,
            acting_user=request.user,
        )
        if "structure" in form.changed_data and obj.structure_id != member.structure_id:
            try:
                member_move(member=member, structure=obj.structure, acting_user=request.user)
            except MoveNotAllowed as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(member)s dépend désormais de %(structure)s : un email le lui annonce.")
                    % {"member": member, "structure": obj.structure},
                    messages.SUCCESS,
                )

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if request.GET.get(StatusFilter.parameter_name) != StatusFilter.ALL:
            # One status on screen: the filter already says which.
            fields.remove("status")
        return fields

    # -- columns and fields

    @admin.display(description=_("nom et fonction"), ordering="last_name")
    def full_name(self, member: User) -> str:
        name = f"{member.last_name} {member.first_name}".strip() or member.email
        job_title = job_title_text(member)
        if not job_title:
            return name
        return cell(name, job_title)

    @admin.display(description=pgettext_lazy("libellé", "Email"), ordering="email")
    def email_display(self, member: User) -> str:
        # gettext, not the lazy _: a lazy string costs on each of the page's rows.
        state = (
            gettext("adresse confirmée")
            if getattr(member, "email_verified", False)
            else gettext("adresse non confirmée")
        )
        return cell(member.email, state, "row-detail email-state")

    @admin.display(description=_("fonction"), ordering="job_title__name")
    def job_title_display(self, member: User) -> str:
        return job_title_text(member)

    @admin.display(description=_("demande"), ordering="date_joined")
    def waiting_display(self, member: User) -> str:
        """Since when a pending registration waits ("depuis 3 jours", marked past the
        structure's reminder delay); the date of the request for the others."""
        days = (queue_today(member) - timezone.localdate(member.date_joined)).days
        if member.status != User.Status.PENDING:
            return date_format(timezone.localtime(member.date_joined), "j M Y")
        text = waiting_in_words(days)
        if days > member.structure.reminder_delay_days:
            return mark_safe(f'<span class="waiting-late">{cell(text, gettext("en retard"))}</span>')  # noqa: S308
        return text

    @admin.display(description=_("foyer"), ordering="beneficiary_count")
    def household_display(self, member: User) -> str:
        return household_in_words(member.beneficiaries.all(), today=queue_today(member))

    @admin.display(description=_("liste du personnel"))
    def roster_display(self, member: User) -> str:
        value = getattr(member, "roster_match", None)
        if value is None:
            return "—"
        return mark_safe(f'<span class="roster-badge roster-{value}">{escape(match_label(value))}</span>')  # noqa: S308

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
        if request.GET.get(RosterFilter.parameter_name) == RosterFilter.DEPARTURES:
            title = _("Départs à traiter")
        else:
            title = _("Inscriptions à valider") if waiting else _("Ouvrants-droit")
        extra_context = {
            "title": title,
            "export_url": reverse("admin:structures_member_export")
            + ("?" + request.GET.urlencode() if request.GET else ""),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    # -- the member's page: what a decision needs, read-only; the identity behind its own link

    def _editing_identity(self, request: HttpRequest) -> bool:
        return request.method == "POST" or request.GET.get(IDENTITY_PARAMETER) == "1"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self._editing_identity(request):
            if is_staff_wide(request.user):
                # Staff attach a member to another structure from here (a decision of its own).
                return [*fieldsets[:1], (_("Rattachement"), {"fields": ["structure"]})]
            return fieldsets[:1]
        return fieldsets

    def get_inline_instances(self, request, obj=None):
        if self._editing_identity(request):
            return []
        return super().get_inline_instances(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        member = self.get_object(request, unquote(object_id))
        if member is not None and self._editing_identity(request):
            extra_context["title"] = _("Modifier l'identité de %(member)s") % {"member": member}
            extra_context["editing_identity"] = True
            return super().change_view(request, object_id, form_url, extra_context)
        if member is not None:
            filters = self._list_filters(request)
            match = member_match(member)
            extra_context.update(
                {
                    "title": _("Fiche de l'ouvrant-droit"),
                    # Read-only: nothing to save on this page.
                    "show_save": False,
                    "show_save_and_continue": False,
                    "show_save_and_add_another": False,
                    "show_delete": False,
                    "list_filters": filters,
                    "roster_match": match_label(match),
                    "roster_match_value": match,
                    "household": household_in_words(member.beneficiaries.all(), today=timezone.localdate()),
                }
            )
            allowed = (
                [transition.key for transition in admin_transitions_from(member.status)]
                if self.has_decide_permission(request)
                else []
            )
            query = f"?{urlencode({PRESERVED_FILTERS: filters})}" if filters else ""
            extra_context["decisions"] = [
                {
                    "spec": DECISIONS[key],
                    "url": reverse("admin:structures_member_decision", args=[member.pk, key]) + query,
                    "needs_confirmation": DECISIONS[key].form_class is not None,
                    "button": DECISIONS[key].next_button
                    if member.status == User.Status.PENDING and DECISIONS[key].next_button
                    else DECISIONS[key].button,
                }
                for key in allowed
            ]
            if self.has_change_permission(request, member):
                extra_context["identity_url"] = "?" + urlencode(
                    {IDENTITY_PARAMETER: "1", **({PRESERVED_FILTERS: filters} if filters else {})}
                )
                if member.is_active:
                    extra_context["password_reset_url"] = reverse(
                        "admin:structures_member_password_reset", args=[member.pk]
                    )
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        """Back to the member's page, read-only, once the identity is saved."""
        self.message_user(
            request, _("L'identité de %(member)s est enregistrée.") % {"member": obj}, messages.SUCCESS
        )
        return HttpResponseRedirect(self._member_url(obj, self._list_filters(request)))

    def _list_filters(self, request: HttpRequest) -> str:
        """The filters of the list the manager came from (Django's ``_changelist_filters``)."""
        return request.GET.get(PRESERVED_FILTERS) or request.POST.get(PRESERVED_FILTERS) or ""

    def _member_url(self, member: User, filters: str) -> str:
        url = reverse("admin:structures_member_change", args=[member.pk])
        return f"{url}?{urlencode({PRESERVED_FILTERS: filters})}" if filters else url

    def _next_pending(self, request: HttpRequest, filters: str, done: User):
        """The pending registrations of the list the manager came from, in its order, the one
        just decided left out: (the next one, how many remain)."""
        listing = copy.copy(request)
        listing.GET = QueryDict(filters, mutable=True)
        # The next one is a registration to decide, whatever status the list showed.
        listing.GET[StatusFilter.parameter_name] = User.Status.PENDING
        if listing.GET.get(RosterFilter.parameter_name) == RosterFilter.DEPARTURES:
            del listing.GET[RosterFilter.parameter_name]
        try:
            changelist = self.get_changelist_instance(listing)
        except (IncorrectLookupParameters, DisallowedModelAdminLookup):
            listing.GET = QueryDict(mutable=True)
            listing.GET[StatusFilter.parameter_name] = User.Status.PENDING
            changelist = self.get_changelist_instance(listing)
        remaining = changelist.get_queryset(listing).exclude(pk=done.pk)
        return remaining.first(), remaining.count()

    def decision_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        """One decision on one member: a confirmation page (with the reason for a refusal),
        then the service. A registration decided from the queue leads to the next one of the
        same list ("Valider et passer à la suivante")."""
        member = self.get_object(request, unquote(object_id))
        if member is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        spec = DECISIONS.get(decision)
        if spec is None or not self.has_decide_permission(request):
            raise PermissionDenied
        form = spec.form_class(request.POST or None) if spec.form_class else None
        filters = self._list_filters(request)
        change_url = self._member_url(member, filters)
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
            was_pending = member.status == User.Status.PENDING
            if not was_pending or spec.next_button is None:
                self._decide(request, [member], spec, form)
                return HttpResponseRedirect(change_url)
            if not self._decide(request, [member], spec, form, quiet=True):
                return HttpResponseRedirect(change_url)
            return self._after_registration_decided(request, member, spec, filters)
        return self._confirmation(request, [member], spec, form, cancel_url=change_url, single=True)

    def _after_registration_decided(
        self, request: HttpRequest, member: User, spec: DecisionSpec, filters: str
    ) -> HttpResponse:
        following, remaining = self._next_pending(request, filters, member)
        done = spec.done_one % {"member": member}
        if following is None:
            self.message_user(
                request,
                _("%(done)s C'était la dernière inscription en attente de cette liste.") % {"done": done},
                messages.SUCCESS,
            )
            url = reverse("admin:structures_member_changelist")
            return HttpResponseRedirect(f"{url}?{filters}" if filters else url)
        self.message_user(
            request,
            ngettext(
                "%(done)s Encore %(count)d inscription en attente dans cette liste : voici la suivante.",
                "%(done)s Encore %(count)d inscriptions en attente dans cette liste : voici la suivante.",
                remaining,
            )
            % {"done": done, "count": remaining},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._member_url(following, filters))

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

    def _decide(self, request, members, spec: DecisionSpec, form, *, quiet: bool = False) -> int:
        """Apply ``spec`` to each member; the messages say what was done (unless ``quiet``:
        the caller says it) and what was refused. Returns how many were decided."""
        kwargs = {}
        if form is not None:
            kwargs["reason"] = form.cleaned_data["reason"]
        done, refused = 0, []
        for member in members:
            try:
                member_transition(
                    member=member, transition=spec.transition, acting_user=request.user, **kwargs
                )
            except DecisionNotAllowed as refusal:
                refused.append(str(refusal))
            except PermissionDenied:
                refused.append(str(_("%(member)s : hors de vos structures.") % {"member": member}))
            else:
                done += 1
        if done and not quiet:
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
        return done

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
