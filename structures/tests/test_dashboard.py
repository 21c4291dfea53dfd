"""The admin's home (the "Tableau de bord"): per structure, the registrations that wait and
since when, and the chart of the last twelve months (invitations sent, registrations,
validations), counted on the site's calendar, in a constant number of queries; a manager sees
their structures only, staff one chart of all of them and the structures where most wait."""

import datetime
import itertools
import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from ceplus.tests.factories import (
    InvitationFactory,
    ManagerFactory,
    MemberFactory,
    PendingMemberFactory,
    RosterEntryFactory,
    StaffFactory,
    StructureFactory,
)
from structures.dashboard import (
    MonthActivity,
    busiest_structures,
    dashboard,
    empty_months,
    last_months,
    monthly_activity,
)
from structures.models import Invitation, MembershipDecision
from structures.scoping import visible_structure_ids
from structures.templatetags.dashboard_chart import activity_chart_geometry, nice_scale
from structures.templatetags.validation_queue import waiting_words

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC
NOW = datetime.datetime(2026, 4, 15, 10, 0, tzinfo=PARIS)
HOME = "/admin/"
NBSP = "\N{NO-BREAK SPACE}"
EMAILS = (f"invite{n}@example.org" for n in itertools.count())


def at(year: int, month: int, day: int = 10, hour: int = 12, minute: int = 0, tz=PARIS):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=tz)


def invitation_sent(structure, when, **kwargs):
    return InvitationFactory(
        structure=structure,
        kind=Invitation.Kind.PERSONAL,
        email=next(EMAILS),
        sent_at=when,
        **kwargs,
    )


def registered(structure, when, **kwargs):
    return MemberFactory(structure=structure, date_joined=when, **kwargs)


def validated(member, when, to_status=User.Status.APPROVED):
    return MembershipDecision.objects.create(
        member=member, structure=member.structure, from_status="pending", to_status=to_status, created_at=when
    )


def by_month(months) -> dict[datetime.date, tuple[int, int, int]]:
    return {m.month: (m.invitations, m.registrations, m.validations) for m in months}


def chart_of(page: str, chart_id: str) -> str:
    """The HTML of one chart (its legend, its SVG, its table)."""
    start = page.index(f'<div class="activity-chart" id="{chart_id}">')
    return page[start : page.index("</section>", start)]


def table_rows(chart: str) -> dict[str, list[str]]:
    """The "Voir les chiffres" table: {month: [invitations, registrations, validations]}."""
    return {
        month: [value.replace(NBSP, " ") for value in re.findall(r"<td>(.*?)</td>", cells)]
        for month, cells in re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', chart, re.S)
    }


# --- The months -----------------------------------------------------------------------------


def test_the_twelve_months_end_with_the_current_one():
    months = last_months(NOW)
    assert len(months) == 12
    assert months[0] == datetime.date(2025, 5, 1)
    assert months[-1] == datetime.date(2026, 4, 1)
    assert last_months(at(2027, 1, 3))[0] == datetime.date(2026, 2, 1)


def test_each_month_counts_invitations_registrations_and_validations(structure_a, structure_b):
    # given activity in three months, some of it too old, of the wrong kind or elsewhere
    invitation_sent(structure_a, at(2026, 2, 3))
    invitation_sent(structure_a, at(2026, 2, 20))
    invitation_sent(structure_a, at(2026, 4, 1))
    # the shared link is not "sent" to anyone, even if a date says so
    InvitationFactory(structure=structure_a, kind=Invitation.Kind.SHARED, sent_at=at(2026, 4, 2))
    marie = registered(structure_a, at(2026, 3, 5))
    registered(structure_a, at(2026, 3, 28))
    paul = registered(structure_a, at(2026, 4, 14))
    validated(marie, at(2026, 3, 6))
    validated(paul, at(2026, 4, 14))
    validated(paul, at(2026, 4, 14), to_status=User.Status.REJECTED)
    # thirteen months ago: out of the chart
    old = registered(structure_a, at(2025, 3, 20))
    invitation_sent(structure_a, at(2025, 3, 20))
    validated(old, at(2025, 4, 30))
    # another structure, same months
    other = registered(structure_b, at(2026, 3, 5))
    invitation_sent(structure_b, at(2026, 2, 3))
    validated(other, at(2026, 4, 1))

    # when structure A's manager's dashboard is read
    (activity,) = dashboard([structure_a.pk], now=NOW).structures

    # then
    assert activity.structure == structure_a
    months = by_month(activity.months)
    assert list(months) == last_months(NOW)
    assert months[datetime.date(2026, 2, 1)] == (2, 0, 0)
    assert months[datetime.date(2026, 3, 1)] == (0, 2, 1)
    assert months[datetime.date(2026, 4, 1)] == (1, 1, 1)
    others = [counts for month, counts in months.items() if month.month not in (2, 3, 4)]
    assert others == [(0, 0, 0)] * 9


def test_a_manager_never_sees_another_structures_numbers(client_a, manager_a, structure_a, structure_b):
    registered(structure_a, timezone.now())
    for _ in range(7):
        registered(structure_b, timezone.now())
    PendingMemberFactory(structure=structure_b)

    invitation_sent(structure_b, timezone.now())
    validated(PendingMemberFactory(structure=structure_b), timezone.now())

    ids = visible_structure_ids(manager_a)
    assert set(monthly_activity(ids, now=timezone.now())) == {structure_a.pk}
    numbers = dashboard(ids, now=timezone.now())
    assert [s.structure for s in numbers.structures] == [structure_a]
    assert numbers.months[-1].registrations == 1
    assert numbers.pending == 0

    page = client_a.get(HOME).text
    assert "Boulangeries" not in page
    assert f'id="activite-{structure_b.pk}"' not in page
    rows = table_rows(chart_of(page, f"activite-{structure_a.pk}"))
    assert list(rows.values())[-1] == ["0", "1", "0"]


def test_registrations_late_on_the_last_day_of_a_month_count_in_paris_next_month(structure_a):
    """23:30 UTC on 31 March is 01:30 on 1 April in Paris; 23:30 UTC on 31 January, 00:30 on
    1 February (winter time)."""
    registered(structure_a, datetime.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    registered(structure_a, datetime.datetime(2026, 3, 31, 21, 30, tzinfo=UTC))  # 23:30 in Paris
    invitation_sent(structure_a, datetime.datetime(2026, 1, 31, 23, 30, tzinfo=UTC))

    months = by_month(monthly_activity([structure_a.pk], now=NOW)[structure_a.pk])

    assert months[datetime.date(2026, 4, 1)] == (0, 1, 0)
    assert months[datetime.date(2026, 3, 1)] == (0, 1, 0)
    assert months[datetime.date(2026, 2, 1)] == (1, 0, 0)
    assert months[datetime.date(2026, 1, 1)] == (0, 0, 0)


def test_the_current_month_starts_at_midnight_in_paris(structure_a):
    """On 31 December at 23:30 UTC, Paris is already in January: the chart ends in January,
    with that registration in it."""
    now = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    registered(structure_a, now)
    months = by_month(monthly_activity([structure_a.pk], now=now)[structure_a.pk])
    assert list(months)[-1] == datetime.date(2027, 1, 1)
    assert months[datetime.date(2027, 1, 1)] == (0, 1, 0)


# --- What waits -----------------------------------------------------------------------------


def test_the_oldest_waiting_registration_says_since_when(structure_a, structure_b):
    PendingMemberFactory(structure=structure_a, date_joined=NOW - datetime.timedelta(days=3))
    oldest = PendingMemberFactory(structure=structure_a, date_joined=NOW - datetime.timedelta(days=12))
    MemberFactory(structure=structure_a, date_joined=NOW - datetime.timedelta(days=40))  # approved
    PendingMemberFactory(structure=structure_b, date_joined=NOW - datetime.timedelta(days=90))

    (activity,) = dashboard([structure_a.pk], now=NOW).structures

    assert activity.pending == 2
    assert activity.oldest_waiting_since == oldest.date_joined
    assert waiting_words(activity.oldest_waiting_since, pending=2, now=NOW) == (
        "la plus ancienne attend depuis 12 jours"
    )


def test_waiting_times_are_said_in_days_of_the_calendar():
    assert waiting_words(NOW - datetime.timedelta(hours=1), pending=1, now=NOW) == (
        "elle attend depuis aujourd'hui"
    )
    # 23:50 yesterday, in Paris: yesterday, even if only ten hours ago
    assert waiting_words(at(2026, 4, 14, 23, 50), pending=3, now=NOW) == "la plus ancienne attend depuis hier"
    assert waiting_words(at(2026, 4, 13, 23, 50), pending=3, now=NOW) == (
        "la plus ancienne attend depuis 2 jours"
    )
    assert waiting_words(None, pending=0, now=NOW) == ""


def test_a_managers_panel_links_its_queue_and_says_how_long_it_waits(client_a, structure_a):
    PendingMemberFactory(structure=structure_a, date_joined=timezone.now() - datetime.timedelta(days=12))
    PendingMemberFactory(structure=structure_a)

    page = client_a.get(HOME).text

    queue = f"/admin/structures/member/?structure={structure_a.pk}"
    assert (
        f'<a href="{queue}">2 inscriptions en attente</a> : la plus ancienne attend depuis 12 jours.' in page
    )
    assert f'href="/admin/structures/structure/{structure_a.pk}/invitations/"' in page
    # the summary of the queue is still there
    assert "2 inscriptions attendent votre validation" in page
    assert "css/admin-dashboard.css" in page


# --- Staff ----------------------------------------------------------------------------------


def test_staff_see_one_chart_of_every_structure_and_the_busiest_ones(client, staff, structure_a, structure_b):
    now = timezone.now()
    registered(structure_a, now)
    registered(structure_b, now)
    registered(structure_b, now)
    PendingMemberFactory(structure=structure_a, date_joined=now - datetime.timedelta(days=5))
    for _ in range(2):
        PendingMemberFactory(structure=structure_b, date_joined=now - datetime.timedelta(days=1))
    quiet = StructureFactory(name="Structure sans attente")

    client.force_login(staff)
    page = client.get(HOME).text

    # one chart, every structure's registrations together (the pending ones too)
    month_start = timezone.make_aware(datetime.datetime.combine(last_months(now)[-1], datetime.time()))
    this_month = User.objects.filter(structure__isnull=False, date_joined__gte=month_start).count()
    assert this_month >= 3
    assert page.count('class="activity-chart"') == 1
    assert list(table_rows(chart_of(page, "activite-toutes")).values())[-1] == ["0", str(this_month), "0"]
    # the structures where registrations wait, the most first, each linked to its queue
    busiest = page[page.index('class="dashboard-busiest"') :]
    queue = "/admin/structures/member/?structure="
    assert busiest.index(f'href="{queue}{structure_b.pk}"') < busiest.index(f'href="{queue}{structure_a.pk}"')
    assert "<td>5 jours</td>" in busiest
    assert "<td>hier</td>" in busiest
    assert quiet.name not in busiest
    assert "3 inscriptions attendent votre validation" in page


def test_the_busiest_structures_are_the_ones_where_most_wait(structure_a, structure_b):
    third = StructureFactory(name="Troisième")
    PendingMemberFactory.create_batch(3, structure=third)
    PendingMemberFactory.create_batch(2, structure=structure_b)
    PendingMemberFactory(structure=structure_a)
    MemberFactory.create_batch(5, structure=structure_a)

    busiest = busiest_structures(limit=2)

    assert [(s.structure, s.pending) for s in busiest] == [(third, 3), (structure_b, 2)]
    assert dashboard(None, now=timezone.now()).pending == 6


# --- The chart ------------------------------------------------------------------------------


def test_a_structure_without_activity_shows_an_empty_chart(client_a, structure_a):
    page = client_a.get(HOME).text
    chart = chart_of(page, f"activite-{structure_a.pk}")
    assert "Aucune activité sur les 12 derniers mois." in chart
    assert 'role="img"' in chart
    assert "<details" not in chart
    assert "Aucune inscription en attente." in page


def test_the_svg_is_named_and_its_table_holds_its_numbers(client_a, structure_a):
    now = timezone.now()
    for _ in range(3):
        invitation_sent(structure_a, now)
    validated(registered(structure_a, now), now)
    registered(structure_a, now)

    page = client_a.get(HOME).text
    chart = chart_of(page, f"activite-{structure_a.pk}")

    # the SVG's accessible name is its title
    svg = re.search(r'<svg class="activity-svg"[^>]*>', chart).group(0)
    assert 'role="img"' in svg
    assert f'aria-labelledby="activite-{structure_a.pk}-title"' in svg
    assert 'viewBox="0 0 480 240"' in svg
    title = re.search(rf'<title id="activite-{structure_a.pk}-title">(.*?)</title>', chart).group(1)
    assert title == "Activité des 12 derniers mois : CSE Textiles de Sausheim"
    # the table holds the same numbers as the bars
    rows = table_rows(chart)
    assert len(rows) == 12
    assert list(rows)[-1] == date_format(timezone.localdate(now), "N Y")
    assert list(rows.values())[-1] == ["3", "2", "1"]
    assert list(rows.values())[:-1] == [["0", "0", "0"]] * 11
    bars = dict(re.findall(r"<title>([^<,]+), [^:<]+ : ([^<]+)</title>", chart))
    assert bars == {"Invitations envoyées": "3", "Inscriptions": "2", "Validations": "1"}
    # no inline style: the CSP refuses them
    assert "style=" not in chart


def test_month_labels_are_abbreviated_in_french():
    chart = activity_chart_geometry(empty_months(at(2026, 12, 15)), chart_id="c", subject="CSE")
    assert [column.label for column in chart.columns][-3:] == ["oct. 2026", "nov. 2026", "déc. 2026"]
    assert chart.columns[0].label == "jan. 2026"
    # the year is written under January (and the first month) only
    assert [c.year_label for c in chart.columns[:2]] == ["2026", ""]


def test_zero_data_draws_a_flat_chart_without_dividing_by_zero():
    chart = activity_chart_geometry(empty_months(NOW), chart_id="c", subject="CSE")
    assert chart.empty
    assert [tick.label for tick in chart.ticks] == ["0"]
    assert all(column.bars == [] for column in chart.columns)
    assert chart.description == "Aucune activité sur les 12 derniers mois."


def test_large_numbers_fit_the_scale_and_are_grouped():
    months = empty_months(NOW)
    months[-1] = MonthActivity(months[-1].month, invitations=1_234_567, registrations=3, validations=0)
    chart = activity_chart_geometry(months, chart_id="c", subject="CSE")

    assert [tick.label.replace(NBSP, " ") for tick in chart.ticks] == [
        "0",
        "500 000",
        "1 000 000",
        "1 500 000",
    ]
    invitations, registrations = chart.columns[-1].bars
    top, bottom = float(chart.top), float(chart.bottom)
    assert top <= float(invitations.y) < bottom
    assert float(invitations.y) + float(invitations.height) == pytest.approx(bottom)
    # the smallest value still shows
    assert float(registrations.height) >= 1.5
    # the axis' labels have room on the left of the plot
    assert float(chart.left) > 0.6 * 11 * len("1 500 000")
    assert chart.columns[-1].values[0].replace(NBSP, " ") == "1 234 567"


@pytest.mark.parametrize(
    ("maximum", "scale"),
    [(0, (1, 1)), (1, (1, 1)), (3, (3, 1)), (7, (8, 2)), (19, (20, 5)), (101, (150, 50))],
)
def test_the_scale_has_round_steps(maximum, scale):
    assert nice_scale(maximum) == scale


# --- Queries --------------------------------------------------------------------------------


def activity_in(structure, now=NOW, months: int = 3) -> None:
    """An invitation, a validated registration and a pending one in each of three months."""
    for back in range(months):
        when = now - datetime.timedelta(days=30 * back)
        invitation_sent(structure, when)
        validated(registered(structure, when), when)
        PendingMemberFactory(structure=structure, date_joined=when)


@pytest.mark.parametrize("count", [1, 5])
def test_a_managers_dashboard_costs_six_queries_whatever_the_number_of_structures(
    count, django_assert_num_queries
):
    structures = StructureFactory.create_batch(count)
    for structure in structures:
        activity_in(structure)
    ids = [s.pk for s in structures]

    with django_assert_num_queries(6):
        numbers = dashboard(ids, now=NOW)

    assert len(numbers.structures) == count
    assert numbers.pending == 3 * count
    assert numbers.months[-1].registrations == 2 * count


@pytest.mark.parametrize("count", [1, 5])
def test_the_staff_dashboard_costs_six_queries_whatever_the_number_of_structures(
    count, django_assert_num_queries
):
    for structure in StructureFactory.create_batch(count):
        activity_in(structure)

    with django_assert_num_queries(6):
        numbers = dashboard(None, now=NOW)

    assert numbers.months[-1].invitations == count
    assert len(numbers.structures) == count


def test_the_home_page_costs_the_same_queries_for_one_structure_or_five(client):
    def queries(manager) -> int:
        client.force_login(manager)
        client.get(HOME)  # the first request fills the caches (permissions, session)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    one = StructureFactory()
    activity_in(one, now=timezone.now())
    staff = StaffFactory()
    staff_with_one = queries(staff)
    manager_of_one = queries(ManagerFactory(structures=[one]))

    five = StructureFactory.create_batch(5)
    for structure in five:
        activity_in(structure, now=timezone.now())

    assert queries(ManagerFactory(structures=five)) == manager_of_one
    assert queries(staff) == staff_with_one


def test_a_manager_sees_the_departures_to_deal_with(client):
    structure = StructureFactory(name="CSE Départs")
    manager = ManagerFactory(structures=[structure])
    left = MemberFactory(structure=structure)
    RosterEntryFactory(structure=structure, email=left.email, removed_at=timezone.now())
    staying = MemberFactory(structure=structure)
    RosterEntryFactory(structure=structure, email=staying.email)
    other = StructureFactory(name="Autre structure")
    gone_elsewhere = MemberFactory(structure=other)
    RosterEntryFactory(structure=other, email=gone_elsewhere.email, removed_at=timezone.now())
    numbers = dashboard([structure.pk])
    assert numbers.structures[0].departures == 1
    client.force_login(manager)
    page = client.get("/admin/").text
    assert (
        f'href="/admin/structures/member/?structure={structure.pk}&amp;liste=departs">1 départ à traiter</a>'
        in page
    )
    assert f"/admin/structures/structure/{structure.pk}/liste-du-personnel/" in page


@pytest.mark.django_db
def test_the_proofs_to_check_show_per_structure_and_lead_to_their_list(client):
    """Each structure's proofs waiting for a decision, linked to the list filtered on it; none
    of another structure."""
    from ceplus.tests.factories import BeneficiaryFactory, MemberFactory, ProofFactory

    mine, other = StructureFactory(name="CSE Textiles"), StructureFactory(name="Autre")
    for structure, count in ((mine, 2), (other, 1)):
        for _ in range(count):
            ProofFactory(beneficiary=BeneficiaryFactory(member=MemberFactory(structure=structure)))
    client.force_login(ManagerFactory(structures=[mine]))
    page = client.get("/admin/").text
    assert "2 justificatifs de famille à vérifier" in page
    assert f"/admin/beneficiaries/proof/?structure={mine.pk}" in page
    assert "3 justificatifs" not in page
