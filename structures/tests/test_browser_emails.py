"""Every email, as a mail program shows it on a phone: rendered as HTML in Chromium at 375 px
wide, with no horizontal scroll and no serious accessibility fault (axe-core); a screenshot of
each goes to ``test-artifacts/emails/`` for a person to look at."""

from pathlib import Path

import pytest

from ceplus.emails import render_email
from ceplus.tests import factories
from structures.models import StructureLogo
from structures.services import structure_update
from structures.tests.email_helpers import email_context, email_prefixes, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "emails"
WIDTH = 375


@pytest.fixture
def context(live_server, settings):
    # The logo's absolute address is the live server's, so that Chromium loads it.
    settings.SITE_URL = live_server.url
    structure = factories.StructureFactory(
        name="Comité social et économique des Textiles de Sausheim",
        contact_email="cse.textiles.sausheim@textiles-sausheim.example",
        contact_phone="03 89 00 00 00",
        contact_hours="du lundi au vendredi, de 9 h à 12 h et de 14 h à 17 h",
    )
    structure_update(
        structure=structure,
        values={},
        logo=StructureLogo(content=png(240, 80), content_type="image/png"),
        acting_user=None,
    )
    return email_context(structure)


@pytest.mark.parametrize("prefix", email_prefixes())
def test_every_email_reads_on_a_phone(page, axe_check, context, prefix):
    if prefix.startswith("account/"):
        # allauth's emails come from the operator: no structure in their context.
        context = {name: value for name, value in context.items() if name != "structure"}
    _subject, _body, html = render_email(prefix, context)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    page.set_content(html, wait_until="load")
    assert page.locator("[data-layout=ceplus-email]").count() == 1
    if not prefix.startswith("account/"):
        # The structure's emails show its logo, loaded from its public address.
        logo = page.get_by_role("img", name=f"Logo de {context['structure'].name}")
        assert logo.evaluate("(img) => img.complete && img.naturalWidth > 0")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{prefix.replace('/', '_')}.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDTH, prefix
    axe_check(page)
