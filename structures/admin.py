from django.contrib import admin

from structures.models import Invitation, MembershipDecision, Structure


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "child_age_limit", "notification"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["structure", "kind", "email", "expires_at", "revoked_at", "used_at"]
    list_filter = ["kind"]


@admin.register(MembershipDecision)
class MembershipDecisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "member", "structure", "from_status", "to_status", "acting_user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
