from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def approved_member_required(view):
    """The view is for members whose structure validated the registration."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_approved_member:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
