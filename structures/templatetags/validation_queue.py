"""The validation queue's summary on the admin's home page."""

from django import template
from django.urls import reverse

from accounts.models import User
from structures.admin.member_import import IMPORT_PERMISSIONS
from structures.scoping import managed_structure_ids, scope_by_structure, scoped_structures

register = template.Library()


@register.simple_tag(takes_context=True)
def validation_queue(context) -> dict | None:
    """How many registrations wait for the user (their structures' only, for a manager), and,
    for a manager, their structures with their queue and invitation pages."""
    request = context.get("request")
    if request is None or not request.user.has_perm("structures.view_member"):
        return None
    ids = managed_structure_ids(request)
    pending = scope_by_structure(
        User.objects.filter(structure__isnull=False, status=User.Status.PENDING), ids
    )
    queue_url = reverse("admin:structures_member_changelist")
    structures = []
    if ids is not None:
        for structure in scoped_structures(request).order_by("name"):
            structures.append(
                {
                    "name": structure.name,
                    "queue_url": f"{queue_url}?structure={structure.pk}",
                    "invitations_url": reverse("admin:structures_structure_invitations", args=[structure.pk]),
                }
            )
    return {
        "pending": pending.count(),
        "queue_url": queue_url,
        "structures": structures,
        # The import of the former site's members lives outside the ModelAdmins: link it here.
        "import_url": reverse("admin_member_import") if request.user.has_perms(IMPORT_PERMISSIONS) else "",
    }
