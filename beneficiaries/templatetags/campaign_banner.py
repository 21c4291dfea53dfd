"""``{% campaign_banner as banner %}``: the yearly update to remind the signed-in member of, for
``beneficiaries/includes/campaign_banner.html`` (included by any page of the espace adhérent)."""

from django import template
from django.utils import timezone

from beneficiaries.campaigns import Banner
from beneficiaries.campaigns import campaign_banner as banner_for

register = template.Library()


@register.simple_tag(takes_context=True)
def campaign_banner(context) -> Banner | None:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return banner_for(request.user, timezone.localdate())
