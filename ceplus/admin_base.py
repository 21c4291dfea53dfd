"""What every admin of the product shares: an object the user may not see does not exist for
them."""

from __future__ import annotations

from django.contrib import admin


class ProductAdminMixin:
    """Objects the user may not see.

    Django looks an object up before it checks the user's permission on its model: a page
    about an object of a model the user may not open answered 403 for an existing id and "n'existe
    pas" for a missing one, which tells ids apart. Here both are missing.
    """

    def get_object(self, request, object_id, from_field=None):
        if not self.has_view_or_change_permission(request):
            return None
        return super().get_object(request, object_id, from_field)


class BaseAdmin(ProductAdminMixin, admin.ModelAdmin):
    """The product's ModelAdmin."""
