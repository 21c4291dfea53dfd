"""Browser journey (Chromium): a structure's manager logs into the admin and reads the
"Tableau de bord": what waits, the chart of the last twelve months and its numbers, on a
desktop and on a phone, without an accessibility violation."""

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from ceplus.tests import factories
from structures.models import Invitation, MembershipDecision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_activity_of_their_structure(page, axe_check, admin_sign_in):
    now = timezone.now()
    structure = factories.StructureFactory(name="CSE Textiles de Sausheim")
    other = factories.StructureFactory(name="Boulangeries Alsaciennes SA")
    factories.ManagerFactory(email="gestion@textiles.example", structures=[structure])
    for email in ("anne@example.org", "bruno@example.org"):
        factories.InvitationFactory(
            structure=structure, kind=Invitation.Kind.PERSONAL, email=email, sent_at=now
        )
    member = factories.MemberFactory(structure=structure, date_joined=now)
    MembershipDecision.objects.create(
        member=member, structure=structure, from_status="pending", to_status="approved", created_at=now
    )
    waiting_since = now - datetime.timedelta(days=12)
    factories.PendingMemberFactory(structure=structure, date_joined=waiting_since)
    # The pending registration counts in this month's registrations when it was made this month.
    same_month = timezone.localdate(waiting_since).month == timezone.localdate(now).month
    registrations = "2" if same_month else "1"
    factories.PendingMemberFactory.create_batch(4, structure=other, date_joined=now)
    page.set_viewport_size({"width": 1280, "height": 900})

    admin_sign_in(page, "gestion@textiles.example", axe_check=axe_check)

    # The structure's panel: what waits, since when, linked to its queue.
    panel = page.get_by_role("region", name="CSE Textiles de Sausheim")
    expect(panel.get_by_role("link", name="1 inscription en attente")).to_have_attribute(
        "href", f"/admin/structures/member/?structure={structure.pk}"
    )
    expect(panel.get_by_text("elle attend depuis 12 jours")).to_be_visible()
    expect(page.get_by_text("Boulangeries")).to_have_count(0)

    # The chart, named for screen readers, and its numbers.
    chart = panel.get_by_role("img", name="Activité des 12 derniers mois : CSE Textiles de Sausheim")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 100
    table = panel.get_by_role("table", name="Activité des 12 derniers mois : CSE Textiles de Sausheim")
    expect(table).to_be_hidden()
    panel.get_by_text("Voir les chiffres").click()
    expect(table).to_be_visible()
    this_month = table.get_by_role("row", name=date_format(timezone.localdate(now), "N Y"))
    expect(this_month.get_by_role("cell")).to_have_text(["2", registrations, "1"])
    expect(table.get_by_role("row")).to_have_count(13)
    axe_check(page)

    # On a phone, the chart shrinks to the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert 250 < box["width"] <= 390
    assert box["x"] >= 0
    axe_check(page)
