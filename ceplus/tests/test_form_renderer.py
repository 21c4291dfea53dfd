"""The form renderer writes plain inputs in Python (``ceplus.form_renderer``): its HTML is Django's
own, byte for byte, for every input widget and kind of attribute, and on every page with a form,
bound or not, valid or not."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.urls import reverse
from django.utils.safestring import mark_safe
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from accounts.tests.signup_helpers import ACCOUNT, ADDRESS, ready_invitation, start
from ceplus.form_renderer import FastInputRenderer
from ceplus.tests.factories import (
    BeneficiaryFactory,
    InvitationFactory,
    ManagerFactory,
    MemberFactory,
    PendingMemberFactory,
    StaffFactory,
    StructureFactory,
)

WIDGETS = [
    forms.TextInput,
    forms.EmailInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.CheckboxInput,
    forms.NumberInput,
    forms.URLInput,
    forms.SearchInput,
    forms.TelInput,
    lambda attrs=None: RegionalPhoneNumberWidget(region="FR", attrs=attrs),
]
VALUES = [None, "", "Léa", "<script>\"&'</script>", 0, 42, True, False, mark_safe("<b>sûr</b>")]
ATTRS = [
    {},
    {"required": True, "autofocus": True},
    {"disabled": True, "checked": False, "readonly": False},
    {
        "maxlength": 150,
        "autocomplete": "family-name",
        "class": "input-short a",
        "aria-describedby": "id_x_hint",
    },
    {"data-x": mark_safe("&amp;"), "placeholder": "", "aria-invalid": "true", "inputmode": "numeric"},
    {"title": '"quoted" <tag>', "min": 0, "step": "any"},
]


@pytest.mark.parametrize("widget_class", WIDGETS)
@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("attrs", ATTRS, ids=repr)
def test_every_input_widget_is_drawn_as_djangos_templates_draw_it(widget_class, value, attrs):
    widget = widget_class(attrs=dict(attrs))
    django_html = widget.render("champ", value, attrs={"id": "id_champ"}, renderer=DjangoTemplates())
    fast_html = widget.render("champ", value, attrs={"id": "id_champ"}, renderer=FastInputRenderer())
    assert fast_html == django_html


def test_the_site_uses_it():
    assert isinstance(get_default_renderer(), FastInputRenderer)


CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+')
NONCE = re.compile(r'nonce="[^"]+"')


def normalised(html: str) -> str:
    return NONCE.sub("nonce", CSRF.sub(r"\1", html))


def both_renderers(settings, client, method: str, path: str, data=None) -> tuple[str, str]:
    pages = []
    for renderer in ("django.forms.renderers.DjangoTemplates", "ceplus.form_renderer.FastInputRenderer"):
        settings.FORM_RENDERER = renderer
        get_default_renderer.cache_clear()
        response = client.post(path, data) if method == "post" else client.get(path)
        pages.append(normalised(response.content.decode()))
    get_default_renderer.cache_clear()
    return pages[0], pages[1]


@pytest.mark.django_db
def test_every_page_with_a_form_is_the_same_with_either_renderer(client, settings):
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    invitation = ready_invitation()
    start(client, invitation)
    pages = [
        ("get", reverse("signup_account"), None),
        ("post", reverse("signup_account"), {**ACCOUNT, "phone": "abc", "password2": "autre"}),
        ("get", reverse("account_login"), None),
        ("post", reverse("account_login"), {"login": "x", "password": ""}),
        ("get", reverse("account_reset_password"), None),
        ("get", reverse("signup_info"), None),
    ]
    for method, path, data in pages:
        django_page, fast_page = both_renderers(settings, client, method, path, data)
        assert fast_page == django_page, path

    member = MemberFactory()
    BeneficiaryFactory(member=member)
    client.force_login(member)
    for path in ("member_profile", "member_address", "beneficiary_add", "member_data_erase"):
        django_page, fast_page = both_renderers(settings, client, "get", reverse(path))
        assert fast_page == django_page, path
    django_page, fast_page = both_renderers(
        settings, client, "post", reverse("member_address"), {**ADDRESS, "postal_code": "x"}
    )
    assert fast_page == django_page

    structure = StructureFactory()
    manager = ManagerFactory(structures=[structure])
    pending = PendingMemberFactory(structure=structure)
    InvitationFactory(structure=structure)
    client.force_login(manager)
    for path in (
        "/admin/structures/member/",
        f"/admin/structures/member/{pending.pk}/change/",
        f"/admin/structures/member/{pending.pk}/decision/refuser/",
        f"/admin/structures/structure/{structure.pk}/invitations/",
    ):
        django_page, fast_page = both_renderers(settings, client, "get", path)
        assert fast_page == django_page, path
    client.force_login(StaffFactory())
    for path in (
        f"/admin/structures/structure/{structure.pk}/change/",
        "/admin/import-membres/",
        "/admin/accounts/user/",
    ):
        django_page, fast_page = both_renderers(settings, client, "get", path)
        assert fast_page == django_page, path
