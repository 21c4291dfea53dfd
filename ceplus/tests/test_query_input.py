"""Odd query strings and paths on every GET page of the site, for anyone: never a 5xx.

PostgreSQL cannot hold a NUL character in text: a NUL in a search, a list filter, an
autocomplete term or an id once reached the database and answered 500. The pages are read from
the URL resolver (ours, allauth's and the admin's), and the query keys each page uses from the
page itself, so a new page or a new list filter is walked without touching this file.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote as admin_quote
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import TestCase
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils.translation import gettext, override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Consent, User
from accounts.services import password_reset_url
from ceplus.models import LegalDocument
from ceplus.tests.factories import (
    AddressFactory,
    BeneficiaryFactory,
    InvitationFactory,
    ManagerFactory,
    MemberFactory,
    PendingMemberFactory,
    StaffFactory,
    StructureFactory,
    publish_consent_documents,
)
from structures.admin.members import DECISIONS
from structures.models import MembershipDecision, Structure
from structures.services import member_approve

# --- The routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A value the route takes from the path: a converter (``<int:pk>``) or a regex group."""

    name: str
    converter: str
    regex: str = ""


@dataclass(frozen=True)
class Route:
    pieces: tuple[str | Slot, ...]

    def __str__(self) -> str:
        return "".join(
            piece if isinstance(piece, str) else f"<{piece.converter}:{piece.name}>" for piece in self.pieces
        )

    @property
    def slots(self) -> list[Slot]:
        return [piece for piece in self.pieces if isinstance(piece, Slot)]

    def path(self, values: dict[str, str]) -> str:
        return "/" + "".join(
            piece if isinstance(piece, str) else quote(values[piece.name], safe="") for piece in self.pieces
        )


ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^)]*)\)")
REGEX_SYNTAX = re.compile(r"[\\()\[\]{}*+?|.^$]")


def pieces_of(pattern) -> list[str | Slot]:
    if isinstance(pattern, RoutePattern):
        text, finder = str(pattern), ROUTE_PARAMETER
    else:
        text, finder = str(pattern).removeprefix("^").removesuffix("$"), REGEX_GROUP
    pieces: list[str | Slot] = []
    end = 0
    for match in finder.finditer(text):
        pieces.append(text[end : match.start()])
        if finder is ROUTE_PARAMETER:
            pieces.append(Slot(match["name"], match["converter"] or "str"))
        else:
            pieces.append(Slot(match["name"], "regex", match["regex"]))
        end = match.end()
    pieces.append(text[end:])
    literals = [piece for piece in pieces if isinstance(piece, str)]
    # A regex this parser does not understand would build paths that never match: say so.
    assert finder is ROUTE_PARAMETER or not any(REGEX_SYNTAX.search(piece) for piece in literals), text
    return [piece for piece in pieces if piece != ""]


def walk(patterns, prefix: tuple = ()):
    for entry in patterns:
        pieces = prefix + tuple(pieces_of(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, pieces)
        else:
            yield Route(pieces)


ROUTES = list(walk(get_resolver().url_patterns))


def autocomplete_queries() -> list[list[tuple[str, str]]]:
    """Every (app_label, model_name, field_name) the admin's autocomplete answers for: a
    relation to a model whose admin has search fields, as the admin's own widget sends them."""
    queries = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and getattr(field, "remote_field", None)):
                continue
            model_admin = admin.site._registry.get(field.remote_field.model)
            if model_admin is not None and model_admin.search_fields:
                queries.append(
                    [
                        ("term", "a"),
                        ("app_label", model._meta.app_label),
                        ("model_name", model._meta.model_name),
                        ("field_name", field.name),
                    ]
                )
    return queries


# --- Odd input ----------------------------------------------------------------------------------

NASTY = [
    "\x00",
    "a\x00",
    "compta\x00",
    "\x00\x00\x00",
    "%00",
    "é",
    "🙂",
    "\u202e",
    "\ufeff",
    "\uffff",
    "\U0010ffff",
    " ",
    "-1",
    "0",
    "1e309",
    "9" * 30,
    "' OR 1=1--",
    "../../etc/passwd",
    "<script>",
    "a" * 2000,
]
short_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
odd_text = st.one_of(
    st.sampled_from(NASTY),
    st.builds(lambda before, after: f"{before}\x00{after}", short_text, short_text),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)
# Appended as they are, already percent-encoded: broken UTF-8 and empty or NUL keys.
RAW_TAILS = ["", "&%ff=%fe", "&%00", "&=%00", "&%00=%00", "&a=%c3%28", "&&&", "&%", "&q=%00%ff"]
# Keys of the admin and of our pages, besides those read from each page.
KEYS = ["q", "term", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters", "next", "page"]
DEFAULT_QUERY = [("q", "compta"), ("term", "a")]

QUERY_LINK = re.compile(r'href="([^"#]*)\?([^"#]*)"')
INPUT_NAME = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)

# A few examples per route and role; more where the page offers more queries to start from (the
# admin's lists and their filters, the autocomplete's fields), up to MAX_EXAMPLES.
MIN_EXAMPLES, MAX_EXAMPLES = 3, 10
FUZZ = settings(
    max_examples=MIN_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def queries_on_page(path: str, page: str) -> tuple[list[list[tuple[str, str]]], list[str]]:
    """The queries the page links to itself with (list filters, sorting, pages), and the names
    of its fields (the admin's search box)."""
    queries = []
    for target, query in QUERY_LINK.findall(page):
        pairs = parse_qsl(html.unescape(query), keep_blank_values=True)
        if target in ("", path) and pairs:
            queries.append(pairs)
    return queries, sorted(set(INPUT_NAME.findall(page)))


# --- The people and the rows --------------------------------------------------------------------


@dataclass
class Site:
    member: User
    manager: User
    staff: User
    values: dict[str, list[str]]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """One of each row the pages show, made once for the module's few hundred tests and rolled
    back after them (each test runs in its own savepoint inside)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            structure = StructureFactory()
            documents = publish_consent_documents()
            member = MemberFactory(structure=structure, password=None)
            for document in documents.values():
                Consent.objects.create(user=member, document=document)
            AddressFactory(user=member)
            beneficiary = BeneficiaryFactory(member=member)
            PendingMemberFactory(structure=structure, password=None)
            manager = ManagerFactory(structures=[structure], password=None)
            staff = StaffFactory(password=None)
            member_approve(
                member=PendingMemberFactory(structure=structure, password=None), acting_user=manager
            )
            invitation = InvitationFactory(structure=structure)
        reset = re.search(r"/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$", password_reset_url(member))
        values = {
            "kind": list(LegalDocument.Kind.values),
            "version": ["1"],
            "token": [invitation.token],
            "pk": [str(beneficiary.pk)],
            "decision": list(DECISIONS),
            "content_type_id": [str(ContentType.objects.get_for_model(User).pk)],
            "app_label": sorted({model._meta.app_label for model in admin.site._registry}),
            "url": ["", "inconnu/"],
            "uidb36": [reset["uidb36"]],
            "key": [reset["key"]],
        }
        yield Site(member=member, manager=manager, staff=staff, values=values)
        transaction.set_rollback(True)


def real_values(site: Site, route: Route, slot: Slot) -> list[str]:
    """Values of ``slot`` that lead to a row: an admin route's object is one of its model's."""
    text = str(route)
    if slot.name == "object_id" and text.startswith("admin/r/"):
        return [str(site.member.pk)]
    if slot.name == "object_id":
        app_label, model_name = text.split("/")[1:3]
        model = apps.get_model(app_label, model_name)
        return [
            admin_quote(str(pk))
            for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:3]
        ]
    return site.values.get(slot.name, [])


def slot_values(real: list[str], slot: Slot):
    options = [odd_text]
    if real:
        options += [
            st.sampled_from(real),
            st.builds(lambda value, odd: value + odd, st.sampled_from(real), odd_text),
        ]
    if slot.regex:
        options.append(st.from_regex(slot.regex, fullmatch=True, alphabet=st.characters(codec="utf-8")))
    return st.one_of(options)


ROLES = ["anonyme", "adherent", "gestionnaire", "staff"]


def log_in(client, site: Site, role: str) -> None:
    user = {"adherent": site.member, "gestionnaire": site.manager, "staff": site.staff}.get(role)
    if user is not None:
        client.force_login(user)


# --- The tests ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_get_page_survives_odd_query_strings_and_paths(client, site, role, route):
    """Every route, as anyone, with NUL bytes and odd Unicode in the query string (keys and
    values, the page's own filters included) and in the path: never a 5xx."""
    log_in(client, site, role)
    real = {slot.name: real_values(site, route, slot) for slot in route.slots}
    queries = [DEFAULT_QUERY]
    keys = list(KEYS)
    if str(route) == "admin/autocomplete/":
        queries = autocomplete_queries()
    if all(real.values()):
        path = route.path({name: values[0] for name, values in real.items()})
        response = client.get(path)
        assert response.status_code < 500, (role, path)
        if "html" in response.get("Content-Type", ""):
            linked, names = queries_on_page(urlsplit(path).path, response.text)
            queries += linked
            keys += names

    pair = st.tuples(
        st.one_of(st.sampled_from(keys), st.sampled_from(keys).map(lambda key: key + "\x00"), odd_text),
        odd_text,
    )

    @settings(FUZZ, max_examples=min(MIN_EXAMPLES + len(queries) - 1, MAX_EXAMPLES))
    @given(data=st.data())
    def visit(data):
        values = {
            slot.name: data.draw(slot_values(real[slot.name], slot), label=slot.name) for slot in route.slots
        }
        path = route.path(values)
        # One of the page's own queries with one value made odd (the others kept, so that the
        # odd one reaches the query: the autocomplete needs its three fields right), and more.
        query = list(data.draw(st.sampled_from(queries), label="query"))
        index = data.draw(st.integers(0, len(query) - 1), label="odd value")
        key, value = query[index]
        query[index] = (
            key,
            data.draw(st.sampled_from([value + "\x00", "\x00" + value]) | odd_text, label=key),
        )
        query += data.draw(st.lists(pair, max_size=3), label="extra")
        url = f"{path}?{urlencode(query)}{data.draw(st.sampled_from(RAW_TAILS), label='raw')}"
        response = client.get(url)
        assert response.status_code < 500, (role, url)

    visit()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["q=compta%00", "q=%00comp%00ta", "q%00=compta"])
def test_job_title_search_ignores_a_nul_byte(client, query):
    """The signup's Fonction combobox asked with a NUL in ``q`` (value or key) answers its JSON
    list, the titles found for ``compta``: the NUL is dropped, not the search."""
    response = client.get(f"/inscription/fonctions/?{query}")
    assert response.status_code == 200
    assert response.json() == client.get("/inscription/fonctions/?q=compta").json()
    assert response.json()["results"]


@pytest.mark.django_db
def test_admin_autocomplete_ignores_a_nul_byte_for_a_manager(client):
    """A manager's autocomplete with a NUL in ``term`` answers its JSON list."""
    structure = StructureFactory()
    client.force_login(ManagerFactory(structures=[structure], password=None))
    response = client.get(
        "/admin/autocomplete/?term=a%00&app_label=accounts&model_name=user&field_name=structure"
    )
    assert response.status_code == 200
    assert "results" in response.json()


@pytest.mark.django_db
def test_admin_list_filter_ignores_a_nul_byte(client):
    """The structures' list filtered on ``type = CSE`` with a NUL after ``cse`` lists the CSE,
    as without the NUL."""
    structure = StructureFactory(kind=Structure.Kind.CSE)
    client.force_login(StaffFactory(password=None))
    response = client.get("/admin/structures/structure/?kind__exact=cse%00")
    assert response.status_code == 200
    assert structure.name in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/inscription/%00/", 404, "Demandez un nouveau lien d'inscription"),
        ("/inscription/abc%00def/", 404, "Demandez un nouveau lien d'inscription"),
        ("/admin/accounts/user/1%00/change/", 302, ""),
        ("/espace/beneficiaires/1%00/modifier/", 404, "Page introuvable"),
    ],
)
def test_a_path_with_a_nul_byte_answers_as_for_any_unknown_value(client, path, status, text):
    """A NUL in the path reaches the view as U+FFFD: the forged link's own page, the admin's
    "n'existe pas", or the site's 404 page, security headers included; never a server error."""
    client.force_login(StaffFactory(password=None))
    response = client.get(path)
    assert response.status_code == status
    assert text in html.unescape(response.content.decode())
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_byte_is_ignored(client):
    """A session cookie spelling a NUL (``"…\\000…"``, which cookie parsing decodes) is no
    session: the member area asks to log in, as without a cookie."""
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    assert "\\000" in client.cookies.output()
    response = client.get("/espace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


@pytest.mark.django_db
def test_a_nul_byte_in_a_form_field_is_refused_by_the_form(client):
    """POST bodies are left to the forms: a plain CharField (the reason of a deactivation, which
    would be stored and emailed) refuses a NUL with a form error, and no decision is made."""
    member = MemberFactory(password=None)
    client.force_login(StaffFactory(password=None))
    response = client.post(
        f"/admin/structures/member/{member.pk}/decision/desactiver/",
        {"reason": "A quitté l'entreprise\x00", "seen_status": member.status},
    )
    assert response.status_code == 200
    with override("fr"):
        assert html.escape(gettext("Null characters are not allowed.")) in response.text
    member.refresh_from_db()
    assert member.status == User.Status.APPROVED
    assert not MembershipDecision.objects.filter(member=member).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["_to_field=", "_to_field=%00"])
def test_an_empty_to_field_opens_the_object_as_without_it(client, query):
    """``?_to_field=`` (or only NUL bytes, which the middleware removes) is no field: the change
    page opens as without it."""
    client.force_login(StaffFactory(password=None))
    beneficiary = BeneficiaryFactory()
    response = client.get(f"/admin/beneficiaries/beneficiary/{beneficiary.pk}/change/?{query}")
    assert response.status_code == 200
