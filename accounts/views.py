from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import approved_member_required
from accounts.forms import InvitationCodeForm
from structures.services import InvitationGone, InvitationInvalid, invitation_resolve


@require_safe
def signup_start(request: HttpRequest, token: str) -> HttpResponse:
    """Where the structure's invitation link lands."""
    try:
        invitation = invitation_resolve(token=token)
    except InvitationInvalid:
        return render(request, "accounts/invitation_invalid.html", status=404)
    except InvitationGone as gone:
        return render(
            request, "accounts/invitation_invalid.html", {"invitation": gone.invitation}, status=410
        )
    return render(request, "accounts/signup_start.html", {"invitation": invitation})


@require_http_methods(["GET", "HEAD", "POST"])
def signup_info(request: HttpRequest) -> HttpResponse:
    """CRÉER UN COMPTE: registration goes through the structure's link; paste it here."""
    form = InvitationCodeForm(request.POST or None)
    if form.is_valid():
        return redirect("signup_start", token=form.cleaned_data["link"])
    return render(request, "accounts/signup_info.html", {"form": form})


@approved_member_required
def member_home(request: HttpRequest) -> HttpResponse:
    """The espace adhérent's home: status, structure, what to do next."""
    return render(request, "accounts/member_home.html", {"member": request.user})
