"""The yearly update in the espace adhérent: "Mettre à jour mes bénéficiaires", the family as
it stands with each beneficiary's state, and "Ma famille est à jour"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import approved_member_required
from accounts.models import User
from beneficiaries import services
from beneficiaries.campaigns import campaign_in_force
from beneficiaries.entitlement import standings
from beneficiaries.models import Beneficiary, FamilyConfirmation


@approved_member_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_update(request: HttpRequest) -> HttpResponse:
    """The member's family as it stands today, links to change it, and the confirmation of the
    campaign in force (POST: confirm, once; a second click changes nothing)."""
    member: User = request.user
    today = timezone.localdate()
    campaign = campaign_in_force(member.structure_id, today)
    if request.method == "POST":
        if campaign is None:
            messages.error(request, _("Aucune mise à jour de votre famille n'est demandée en ce moment."))
            return redirect("campaign_update")
        try:
            services.family_confirm(member=member, campaign=campaign, acting_user=member)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("campaign_update")
        messages.success(
            request,
            _("Merci : votre famille est à jour pour %(structure)s.") % {"structure": member.structure.name},
        )
        return redirect("campaign_update")
    beneficiaries = Beneficiary.objects.filter(member=member).select_related("member__structure")
    confirmation = (
        FamilyConfirmation.objects.filter(campaign=campaign, member=member).first() if campaign else None
    )
    return render(
        request,
        "beneficiaries/campaign/update.html",
        {
            "structure": member.structure,
            "campaign": campaign,
            "deadline_passed": campaign is not None and today > campaign.deadline,
            "confirmation": confirmation,
            "entries": standings(beneficiaries, today),
        },
    )
