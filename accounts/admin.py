from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Address, Consent, JobTitle, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "last_name", "first_name", "structure", "status", "date_joined"]
    list_filter = ["status", "is_staff", "structure"]
    search_fields = ["email", "last_name", "first_name"]
    readonly_fields = ["date_joined", "last_login", "status_changed_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["last_name", "first_name", "phone", "job_title"]}),
        (
            _("Adhésion"),
            {"fields": ["structure", "status", "status_reason", "status_changed_at", "invitation"]},
        ),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "usable_password", "password1", "password2"],
            },
        ),
    ]
    autocomplete_fields = ["job_title"]


@admin.register(JobTitle)
class JobTitleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "search_name"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["user", "postal_code", "city", "country"]
    search_fields = ["user__email", "city", "postal_code"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "document", "accepted_at"]
    list_select_related = ["user", "document"]
