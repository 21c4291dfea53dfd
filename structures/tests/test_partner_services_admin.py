"""Staff register the services partenaires in the admin ("Services partenaires"), in French, and
the change is recorded; structure managers neither see nor open it."""

import html
import re

import pytest
from allauth.idp.oidc.models import Client

from accounts.models import Event
from structures.models import PartnerService
from structures.tests.oidc_helpers import register_service

pytestmark = pytest.mark.django_db

ADD = "/admin/structures/partnerservice/add/"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40


def form(structure, **changes) -> dict:
    data = {
        "name": "Billetterie CE+",
        "description": "Vos places de spectacle à prix réduit.",
        "url": "https://billetterie.example.org/",
        "initiate_login_uri": "",
        "redirect_uris": "https://billetterie.example.org/oidc/callback\nhttps://billetterie.example.org/cb2",
        "scopes": ["profile", "email", "membership"],
        "structures": [structure.pk],
    }
    return {**data, **changes}


def test_staff_register_a_service_and_read_its_secret_once(client, staff, structure_a):
    client.force_login(staff)
    page = client.get(ADD)
    assert page.status_code == 200
    assert "Adresses de retour (redirect URI)" in page.text

    answer = client.post(ADD, form(structure_a), follow=True)

    assert answer.status_code == 200
    service = PartnerService.objects.select_related("client").get()
    client_record = service.client
    assert client_record.name == "Billetterie CE+"
    assert client_record.get_redirect_uris() == [
        "https://billetterie.example.org/oidc/callback",
        "https://billetterie.example.org/cb2",
    ]
    assert client_record.get_scopes() == ["openid", "profile", "email", "membership"]
    assert client_record.type == Client.Type.CONFIDENTIAL
    assert list(service.structures.all()) == [structure_a]
    secret = html.unescape(re.search(r"client_secret (\S+)\. Le secret", answer.text).group(1))
    assert client_record.check_secret(secret)
    assert secret not in client.get(f"/admin/structures/partnerservice/{service.pk}/change/").text
    event = Event.objects.get(kind=Event.Kind.PARTNER_SERVICE_CREATED)
    assert (event.acting_user, event.description) == (staff, "Billetterie CE+")


def test_staff_change_a_service_its_logo_and_the_change_is_recorded(client, staff, structure_a, structure_b):
    service, _secret = register_service(structures=[structure_a])
    client.force_login(staff)
    url = f"/admin/structures/partnerservice/{service.pk}/change/"
    assert client.get(url).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = form(structure_b, name="Billetterie", logo_file=SimpleUploadedFile("logo.png", PNG, "image/png"))
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.text[:2000]
    service.refresh_from_db()
    assert service.client.name == "Billetterie"
    assert list(service.structures.all()) == [structure_b]
    logo = client.get(service.logo_path)
    assert (logo.status_code, logo["Content-Type"]) == (200, "image/png")
    event = Event.objects.get(kind=Event.Kind.PARTNER_SERVICE_CHANGED)
    fields = {change["field"] for change in event.changes}
    assert {"nom", "structures", "logo", "adresses de retour"} <= fields


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"redirect_uris": "pas une adresse"}, "n&#x27;est pas une adresse complète"),
        ({"redirect_uris": "https://a.example/cb#x"}, "ne peut pas contenir de #"),
        ({"redirect_uris": ""}, "Ce champ est obligatoire"),
        ({"url": "ftp://x"}, "Saisissez une URL valide"),
    ],
)
def test_a_bad_value_is_refused_in_french(client, staff, structure_a, changes, message):
    client.force_login(staff)
    answer = client.post(ADD, form(structure_a, **changes))
    assert answer.status_code == 200
    assert message in answer.text
    assert not PartnerService.objects.exists()
    assert not Client.objects.exists()


def test_a_logo_that_is_not_an_image_is_refused(client, staff, structure_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    answer = client.post(
        ADD, form(structure_a, logo_file=SimpleUploadedFile("x.png", b"<svg/>", "image/png"))
    )
    assert "n&#x27;est pas une image PNG ou JPEG" in answer.text
    assert not PartnerService.objects.exists()


def test_a_manager_neither_sees_nor_opens_the_services(client_a, structure_a):
    service, _secret = register_service(structures=[structure_a])
    assert "Services partenaires" not in client_a.get("/admin/").text
    for url in (
        "/admin/structures/partnerservice/",
        ADD,
        f"/admin/structures/partnerservice/{service.pk}/change/",
        f"/admin/structures/partnerservice/{service.pk}/history/",
    ):
        assert client_a.get(url).status_code in (302, 403, 404), url
    assert client_a.post(ADD, form(structure_a)).status_code == 403
    assert PartnerService.objects.count() == 1


def test_allauths_own_client_and_token_admin_are_not_offered(client, staff):
    client.force_login(staff)
    assert client.get("/admin/allauth_idp_oidc/client/").status_code == 404
    assert client.get("/admin/allauth_idp_oidc/token/").status_code == 404
    assert "Services partenaires" in client.get("/admin/").text
