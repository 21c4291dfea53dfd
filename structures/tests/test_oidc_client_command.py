"""``manage.py oidc_client add`` registers a service through the same service function and
prints its client_id and client_secret on lines of their own."""

import io
import re

import pytest
from allauth.idp.oidc.models import Client
from django.core.management import CommandError, call_command

from accounts.models import Event
from structures.models import PartnerService

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_client_id_and_secret(structure_a):
    out = io.StringIO()
    call_command(
        "oidc_client",
        "add",
        "--name",
        "Billetterie CE+",
        "--redirect-uri",
        "https://billetterie.example.org/cb",
        "--redirect-uri",
        "http://127.0.0.1:8765/cb",
        "--scope",
        "email",
        "--scope",
        "membership",
        "--structure",
        structure_a.name,
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    client_id = re.fullmatch(r"client_id: (\S+)", lines[0]).group(1)
    secret = re.fullmatch(r"client_secret: (\S+)", lines[1]).group(1)
    client = Client.objects.get(id=client_id)
    assert client.check_secret(secret)
    assert client.name == "Billetterie CE+"
    assert client.get_redirect_uris() == ["https://billetterie.example.org/cb", "http://127.0.0.1:8765/cb"]
    assert client.get_scopes() == ["openid", "email", "membership"]
    service = PartnerService.objects.get(client=client)
    assert service.url == "https://billetterie.example.org/"
    assert list(service.structures.all()) == [structure_a]
    assert Event.objects.filter(kind=Event.Kind.PARTNER_SERVICE_CREATED, acting_user=None).count() == 1


def test_a_bad_redirect_uri_stops_the_command_and_registers_nothing(db):
    with pytest.raises(CommandError, match="n'est pas une adresse complète"):
        call_command(
            "oidc_client", "add", "--name", "X", "--redirect-uri", "pas-une-adresse", stdout=io.StringIO()
        )
    assert not Client.objects.exists()
