"""Accounts in the admin.

Members (ouvrants-droit) are handled in the validation queue (``structures.admin.MemberAdmin``,
a proxy of the user model); the user admin here lists the other accounts — CE+ Services staff and
structure managers — for staff only. No password is ever shown or set here: staff send a reset
link instead.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.admin_actions import may_reset_second_factor, reset_second_factor, send_password_resets
from accounts.models import Address, Consent, Event, JobTitle, User
from accounts.services import account_update, job_title_save
from ceplus.admin_base import BaseAdmin, ReadOnlyAdminMixin, changes_table
from structures.scoping import ScopedAdmin, is_staff_wide, structure_filter


@admin.register(User)
class UserAdmin(BaseAdmin):
    """Staff and managers' accounts (staff only). A member's id opens the member's page."""

    list_display = [
        "email",
        "last_name",
        "first_name",
        "staff_label",
        "managed",
        "active_label",
        "last_login",
    ]
    list_filter = ["is_superuser", "is_active", "groups"]
    search_fields = ["email", "last_name", "first_name"]
    ordering = ["last_name", "first_name"]
    filter_horizontal = ["groups"]
    readonly_fields = ["managed", "last_login", "date_joined"]
    actions = ["send_password_reset", reset_second_factor]

    def has_reset_second_factor_permission(self, request) -> bool:
        return may_reset_second_factor(request)

    fieldsets = [
        (None, {"fields": ["email"]}),
        (_("Identité"), {"fields": ["last_name", "first_name", "phone"]}),
        (_("Structures gérées"), {"fields": ["managed"]}),
        # Rights come with groups (the managers' one) or the superuser flag, never one by one.
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(structure__isnull=True)
            .prefetch_related("managed_structures")
        )

    def has_add_permission(self, request):
        # Managers are added from their structure's page (they get an email to set their
        # password); staff accounts with ``createsuperuser``.
        return False

    def has_module_permission(self, request):
        return is_staff_wide(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_wide(request.user)

    def has_change_permission(self, request, obj=None):
        return is_staff_wide(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_staff_wide(request.user)

    def changelist_view(self, request, extra_context=None):
        if not is_staff_wide(request.user):
            # Links to "the users" lead managers to the members they manage.
            return HttpResponseRedirect(reverse("admin:structures_member_changelist"))
        extra_context = {"title": _("Comptes du personnel et des gestionnaires"), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Emails and links name members by their user id: send them to the member's page,
        where the queue's scoping applies (another structure's member "does not exist")."""
        member_url = reverse("admin:structures_member_change", args=[unquote(object_id)])
        if not is_staff_wide(request.user):
            return HttpResponseRedirect(member_url)
        if User.objects.filter(pk=_int_or_none(object_id), structure__isnull=False).exists():
            return HttpResponseRedirect(member_url)
        extra_context = extra_context or {}
        extra_context["password_reset_url"] = reverse("admin:accounts_user_password_reset", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Through ``account_update``: each change of a name or a right is recorded with who made
        it; the groups are set there too (``save_related`` writes nothing more)."""
        fields = [name for name in form.changed_data if name != "groups"]
        account_update(
            user=obj,
            values={name: getattr(obj, name) for name in fields},
            groups=form.cleaned_data.get("groups") if "groups" in form.changed_data else None,
            acting_user=request.user,
        )

    def save_related(self, request, form, formsets, change):
        pass

    def get_urls(self):
        return [
            path(
                "<path:object_id>/reinitialiser-mot-de-passe/",
                self.admin_site.admin_view(self.password_reset_view),
                name="accounts_user_password_reset",
            ),
            *super().get_urls(),
        ]

    def password_reset_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not is_staff_wide(request.user):
            raise PermissionDenied
        user = self.get_object(request, unquote(object_id))
        if user is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        send_password_resets(self, request, [user])
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))

    # Text rather than Django's check-mark icons, whose text alternative is English.
    @admin.display(description=_("personnel CE+ Services"), ordering="is_superuser")
    def staff_label(self, user: User) -> str:
        return yes_no(user.is_superuser)

    @admin.display(description=_("actif"), ordering="is_active")
    def active_label(self, user: User) -> str:
        return yes_no(user.is_active)

    @admin.display(description=_("structures gérées"))
    def managed(self, user: User) -> str:
        structures = list(user.managed_structures.all())
        if not structures:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:structures_structure_change", args=[s.pk]), s.name) for s in structures),
        )

    @admin.action(
        description=_("Envoyer un lien de réinitialisation du mot de passe"), permissions=["change"]
    )
    def send_password_reset(self, request, queryset):
        send_password_resets(self, request, list(queryset))


def yes_no(value: bool) -> str:
    return str(_("oui") if value else _("non"))


def _int_or_none(value: str) -> int | None:
    try:
        return int(unquote(value))
    except (TypeError, ValueError):
        return None


@admin.register(JobTitle)
class JobTitleAdmin(BaseAdmin):
    list_display = ["name", "offered"]
    list_filter = ["is_active"]
    search_fields = ["name", "search_name"]

    @admin.display(description=_("proposée"), ordering="is_active")
    def offered(self, job_title: JobTitle) -> str:
        return yes_no(job_title.is_active)

    def save_model(self, request, obj, form, change):
        job_title_save(job_title=obj)


@admin.register(Address)
class AddressAdmin(ScopedAdmin):
    structure_path = "user__structure"
    list_display = ["user", "line1", "postal_code", "city", "country"]
    list_select_related = ["user"]
    list_filter = [structure_filter("user__structure")]
    search_fields = ["user__email", "user__last_name", "city", "postal_code"]

    def has_module_permission(self, request):
        # Managers read addresses on the member's page.
        return is_staff_wide(request.user) and super().has_module_permission(request)


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Who accepted which version of the CGU, CGV and règlement, and when: evidence, read only."""

    structure_path = "user__structure"
    list_display = ["user", "document", "accepted_at", "ip_address"]
    list_select_related = ["user", "document"]
    list_filter = ["document__kind", structure_filter("user__structure")]
    filterable_fields = ("document__kind",)
    search_fields = ["user__email", "user__last_name"]
    readonly_fields = ["user", "document", "accepted_at", "ip_address"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Who changed what, when: profiles, addresses, invitations, managers, structures. Read only;
    a manager reads the changes about their own structures."""

    structure_path = "structure"
    list_display = ["created_at", "kind", "member", "structure", "acting_user", "description"]
    list_select_related = ["member", "structure", "acting_user"]
    list_filter = ["kind", structure_filter("structure")]
    search_fields = ["description", "member__last_name", "member__email", "acting_user__email"]
    date_hierarchy = "created_at"
    filterable_fields = ("created_at",)
    fields = ["created_at", "kind", "member", "structure", "acting_user", "changes_display"]
    readonly_fields = fields

    @admin.display(description=_("modifications"))
    def changes_display(self, event: Event) -> str:
        return changes_table(event.changes, event.description)
