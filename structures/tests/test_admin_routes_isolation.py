"""Every route under /admin/, read from the URL resolver, against another structure's objects.

Structure A's manager asks each route about each of structure B's objects: the answer must be
the one the route gives for an id that does not exist (same status, same redirect), with
nothing of B in it, and B unchanged. A route added later is covered without touching this
file; one with an argument this file cannot fill makes it fail, so that it gets covered.
"""

from __future__ import annotations

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Address, Consent, Event, JobTitle, User
from accounts.services import profile_update
from beneficiaries.models import Beneficiary, BeneficiaryChange, Campaign, Proof
from beneficiaries.services import beneficiary_add
from ceplus.models import LegalDocument, OutgoingEmail
from ceplus.tests.factories import (
    AddressFactory,
    InvitationFactory,
    LegalDocumentFactory,
    PendingMemberFactory,
    ProofFactory,
)
from structures.models import Invitation, Member, MembershipDecision, PartnerService, Structure
from structures.services import member_reject

MISSING = "999999"
# Models whose objects belong to no structure: the same for every manager (who may or may not
# open them at all, see test_isolation.py; the services partenaires are CE+ Services' own, for
# staff only: test_partner_services_admin.py).
GLOBAL_MODELS = {JobTitle, LegalDocument, Group, PartnerService}
SECRETS = ("Klein", "Zoé", "Colmar", "Secret de B", "invite.b@example.org", "Boulangeries")


def admin_routes() -> list[tuple[str, URLPattern]]:
    """(route, pattern) of every URL under /admin/, as the resolver lists them."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    return [
        (route, pattern) for route, pattern in walk(get_resolver().url_patterns) if route.startswith("admin/")
    ]


ARGUMENT = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def model_of(route: str):
    """The model whose admin serves ``route`` (admin/<app>/<model>/…), or ``None``."""
    for model in admin.site._registry:
        if route.startswith(f"admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


@pytest.fixture
def world_b(structure_b, member_b, manager_b):
    """Every kind of object structure B has."""
    AddressFactory(user=member_b, city="Colmar")
    beneficiary = beneficiary_add(
        member=member_b,
        relationship="child",
        last_name="Klein",
        first_name="Zoé",
        birth_date=datetime.date(2016, 3, 14),
        acting_user=member_b,
    )
    consent = Consent.objects.create(
        user=member_b, document=LegalDocumentFactory(kind=LegalDocument.Kind.CGU)
    )
    rejected = PendingMemberFactory(structure=structure_b, last_name="Klein-Refusé")
    decision = member_reject(member=rejected, acting_user=manager_b, reason="Secret de B")
    shared = InvitationFactory(structure=structure_b)
    personal = InvitationFactory(
        structure=structure_b, kind=Invitation.Kind.PERSONAL, email="invite.b@example.org"
    )
    email_address = EmailAddress.objects.create(user=member_b, email=member_b.email, verified=True)
    profile_update(
        member=member_b,
        last_name="Klein",
        first_name="Paul",
        job_title=None,
        phone="+33612345670",
        acting_user=manager_b,
    )
    campaign = Campaign.objects.create(
        structure=structure_b, starts_on=datetime.date(2027, 1, 5), deadline=datetime.date(2027, 1, 31)
    )
    return {
        Campaign: [campaign],
        Event: list(Event.objects.filter(structure=structure_b)),
        Member: [member_b, rejected],
        User: [member_b, manager_b],
        Address: [member_b.address],
        Beneficiary: [beneficiary],
        Proof: [ProofFactory(beneficiary=beneficiary)],
        BeneficiaryChange: list(BeneficiaryChange.objects.filter(member=member_b)),
        Consent: [consent],
        MembershipDecision: [decision],
        Invitation: [shared, personal],
        Structure: [structure_b],
        EmailAddress: [email_address],
        OutgoingEmail: list(OutgoingEmail.objects.filter(to=rejected.email)),
    }


def state_of_b(structure_b) -> tuple:
    """What an answer must not change in structure B."""
    members = User.objects.filter(structure=structure_b).order_by("pk")
    return (
        list(members.values_list("pk", "status", "is_active", "last_name", "email")),
        list(structure_b.invitations.order_by("pk").values_list("pk", "revoked_at", "expires_at", "sent_at")),
        MembershipDecision.objects.filter(structure=structure_b).count(),
        Beneficiary.objects.filter(member__structure=structure_b).count(),
        list(Campaign.objects.filter(structure=structure_b).values_list("pk", "starts_on", "deadline")),
        Address.objects.filter(user__structure=structure_b).count(),
        OutgoingEmail.objects.count(),
    )


def answer(response, pk=None) -> tuple:
    """Status and redirect, the object's id in the redirect read as the missing one."""
    location = response.get("Location")
    if location and pk is not None:
        location = location.replace(f"/{pk}/", f"/{MISSING}/")
    return response.status_code, location


def assert_nothing_of_b(response):
    text = response.content.decode(errors="replace") if not response.streaming else ""
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} shown by {response.request['PATH_INFO']}"
    location = response.get("Location", "")
    assert "/inscription/" not in location, f"redirect to an invitation link: {location}"


def object_urls(route: str, objects: dict) -> list[tuple[str, str, int]]:
    """(URL with one of B's objects, same URL with a missing id, the object's id) for an
    object route."""
    arguments = {match["name"] for match in ARGUMENT.finditer(route)}
    unknown = arguments - {"object_id", "content_type_id", "decision", "app_label", "url"}
    assert not unknown, f"admin route {route} takes {unknown}: teach this test to fill it"
    fills: list[tuple[dict, dict]] = []
    if "content_type_id" in arguments:
        for model, instances in objects.items():
            for for_concrete in (True, False):
                content_type = ContentType.objects.get_for_model(model, for_concrete_model=for_concrete)
                for instance in instances:
                    fills.append(
                        (
                            {"content_type_id": content_type.pk, "object_id": instance.pk},
                            {"content_type_id": content_type.pk, "object_id": MISSING},
                        )
                    )
    elif "object_id" in arguments:
        model = model_of(route)
        assert model is not None, f"admin route {route}: which model?"
        if model in GLOBAL_MODELS:
            return []
        assert model in objects, f"admin route {route}: structure B has no {model.__name__} in this test"
        decisions = (
            ["valider", "refuser", "desactiver", "reactiver", "inconnue"]
            if "decision" in arguments
            else [None]
        )
        for instance in objects[model]:
            for decision in decisions:
                extra = {"decision": decision} if decision else {}
                fills.append(({"object_id": instance.pk, **extra}, {"object_id": MISSING, **extra}))
    urls = []
    for real, missing in fills:
        urls.append((fill(route, real), fill(route, missing), real["object_id"]))
    return urls


def fill(route: str, values: dict) -> str:
    return "/" + ARGUMENT.sub(lambda match: str(values[match["name"]]), route)


def object_routes():
    return [route for route, _pattern in admin_routes() if "object_id>" in route]


def plain_routes():
    return [
        route
        for route, _pattern in admin_routes()
        if "object_id>" not in route and not route.endswith("(?P<url>.*)$") and "logout" not in route
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("route", object_routes())
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_object_route_answers_about_another_structures_object_as_if_it_did_not_exist(
    client_a, world_b, structure_b, route, method
):
    """GET and POST, with each of B's objects of the route's model (each model, for the
    view-on-site route): the answer for a missing id, and B unchanged."""
    before = state_of_b(structure_b)
    post_data = {"post": "yes", "operation": "revoke", "addresses": "x@example.org", "validity": "30"}
    for real, missing, pk in object_urls(route, world_b):
        send = getattr(client_a, method)
        args = (post_data,) if method == "post" else ()
        real_response = send(real, *args)
        missing_response = send(missing, *args)
        assert answer(real_response, pk) == answer(missing_response), f"{method.upper()} {real}"
        assert_nothing_of_b(real_response)
    assert state_of_b(structure_b) == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", plain_routes())
def test_every_list_and_site_route_shows_nothing_of_another_structure(client_a, member_a, world_b, route):
    if "(?P<app_label>" in route:
        paths = [f"/admin/{app}/" for app in {model._meta.app_label for model in admin.site._registry}]
    else:
        paths = ["/" + route]
    for path in paths:
        # Searches for parts of B's secrets: the page repeats the query, never a whole secret.
        for query in ("", "?status=all", "?q=Klei", "?q=invite.b", "?status=all&q=Boulang", "?term=Klei"):
            response = client_a.get(path + query)
            assert response.status_code < 500, path + query
            assert_nothing_of_b(response)


def autocomplete_pairs():
    """(app_label, model_name, field_name) of every relation of every registered admin."""
    pairs = []
    for model in admin.site._registry:
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is not None:
                pairs.append((model._meta.app_label, model._meta.model_name, field.name))
    return pairs


@pytest.mark.django_db
@pytest.mark.parametrize(("app_label", "model_name", "field_name"), autocomplete_pairs())
def test_autocomplete_of_every_relation_lists_nothing_of_another_structure(
    client_a, world_b, app_label, model_name, field_name
):
    for term in ("", "Klein", "Boul", "invite"):
        response = client_a.get(
            "/admin/autocomplete/",
            {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
        )
        assert response.status_code in (200, 403, 404), response.status_code
        assert_nothing_of_b(response)


@pytest.mark.django_db
def test_view_on_site_still_leads_a_manager_to_their_own_invitation(client_a, structure_a):
    """The fixed shortcut is no dead end: a manager's own object opens on the site."""
    invitation = InvitationFactory(structure=structure_a)
    content_type = ContentType.objects.get_for_model(Invitation)
    response = client_a.get(f"/admin/r/{content_type.pk}/{invitation.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(invitation.get_absolute_url())


@pytest.mark.django_db
def test_every_model_with_a_page_on_the_site_is_in_the_world_of_this_test(world_b):
    """``get_absolute_url`` is what the view-on-site route follows: each model that has one is
    tried above with B's objects, or is global."""
    from django.apps import apps

    for model in apps.get_models():
        if hasattr(model, "get_absolute_url") and model.__module__.split(".")[0] in (
            "accounts",
            "structures",
            "beneficiaries",
            "ceplus",
        ):
            assert model in world_b or model in GLOBAL_MODELS, model
