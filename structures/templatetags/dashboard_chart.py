"""The chart of a structure's last months, drawn on the server as SVG.

Python computes the geometry (``activity_chart_geometry``); the template
``admin/includes/activity_chart.svg.html`` draws it, with its legend and its numbers as a
table. No script, no inline style (the site's CSP forbids them): colours come from
static/css/admin-dashboard.css, with SVG presentation attributes as the fallback. The three
series differ by their fill's pattern as well as by colour: solid, hatched, dotted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from structures.dashboard import MonthActivity

register = template.Library()


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    # The ink of the light theme; the CSS file sets both themes' inks.
    colour: str
    # How it reads without colour, for the chart's description.
    pattern: str


SERIES = (
    Series("invitations", gettext_lazy("Invitations envoyées"), "#123c69", gettext_lazy("barres pleines")),
    Series("registrations", gettext_lazy("Inscriptions"), "#a14a00", gettext_lazy("barres hachurées")),
    Series("validations", gettext_lazy("Validations"), "#1e6b35", gettext_lazy("barres à pois")),
)

# The drawing's own units (the viewBox): it scales to its container's width, a phone's too.
WIDTH = 480
HEIGHT = 240
TOP = 12
RIGHT = 6
# Below the plot: the month, then the year (under January and the first month).
BOTTOM = 38
FONT_SIZE = 11
# On a phone the drawing shrinks: admin-dashboard.css enlarges its text to this size and labels
# every other month only. The room for the axis' labels is made for it.
PHONE_FONT_SIZE = 16
# Horizontal steps of the value axis.
STEPS = 4
# Share of a month's width its three bars take.
GROUP = 0.78


@dataclass(frozen=True)
class Bar:
    series: str
    colour: str
    x: str
    y: str
    width: str
    height: str
    title: str


@dataclass(frozen=True)
class Column:
    """One month: its bars and its labels; ``values`` formatted for the table."""

    label: str
    month_label: str
    year_label: str
    # Unlabelled on a phone (every other month, counting back from the current one).
    alternate: bool
    x: str
    bars: list[Bar]
    values: list[str]


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    left: str
    right: str
    top: str
    bottom: str
    middle_x: str
    middle_y: str
    month_y: str
    year_y: str
    ticks: list[Tick]
    columns: list[Column]
    series: tuple[Series, ...]
    empty: bool


def svg_number(value: float) -> str:
    """A coordinate as SVG reads it: a dot, never the French comma, and no useless digits."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def count_text(value: int) -> str:
    """A count as a French reader reads it: "1 234 567"."""
    return number_format(value, force_grouping=True)


def nice_scale(maximum: int, steps: int = STEPS) -> tuple[int, int]:
    """(top of the axis, step between its lines): a step of 1, 2 or 5 times a power of ten,
    whole numbers only, with the top at or above ``maximum``. Zero data gives (1, 1): the
    scale is never divided by zero."""
    if maximum <= 0:
        return 1, 1
    step, factors = 1, (2, 2.5, 2)  # 1, 2, 5, 10, 20, 50...
    index = 0
    while step * steps < maximum:
        step = int(step * factors[index % 3])
        index += 1
    top = -(-maximum // step) * step
    return top, step


def activity_chart_geometry(months: list[MonthActivity], *, chart_id: str, subject: str) -> Chart:
    """Grouped bars, one group per month (oldest on the left), one bar per series."""
    values = [[getattr(month, series.key) for series in SERIES] for month in months]
    maximum = max((value for row in values for value in row), default=0)
    top_value, step = nice_scale(maximum)
    tick_values = list(range(0, top_value + 1, step)) if maximum else [0]
    tick_labels = [count_text(value) for value in tick_values]
    # Room on the left for the longest label of the axis, large numbers included.
    left = 10 + 0.62 * PHONE_FONT_SIZE * max(len(label) for label in tick_labels)
    bottom = HEIGHT - BOTTOM
    plot_height = bottom - TOP
    column_width = (WIDTH - RIGHT - left) / max(len(months), 1)
    bar_width = column_width * GROUP / len(SERIES)

    def y_of(value: int) -> float:
        return bottom - value / top_value * plot_height

    columns = []
    for index, (month, row) in enumerate(zip(months, values, strict=True)):
        label = date_format(month.month, "N Y")
        start = left + index * column_width + column_width * (1 - GROUP) / 2
        bars = []
        for position, (series, value) in enumerate(zip(SERIES, row, strict=True)):
            if not value:
                continue
            # However small next to the others, a month with activity shows it.
            height = max(bottom - y_of(value), 1.5)
            bars.append(
                Bar(
                    series=series.key,
                    colour=series.colour,
                    x=svg_number(start + position * bar_width + 0.5),
                    y=svg_number(bottom - height),
                    width=svg_number(bar_width - 1),
                    height=svg_number(height),
                    title=f"{series.label}, {label} : {count_text(value)}",
                )
            )
        first_of_year = index == 0 or month.month.month == 1
        columns.append(
            Column(
                label=label,
                month_label=date_format(month.month, "N"),
                year_label=str(month.month.year) if first_of_year else "",
                alternate=(len(months) - 1 - index) % 2 == 1,
                x=svg_number(left + (index + 0.5) * column_width),
                bars=bars,
                values=[count_text(value) for value in row],
            )
        )

    count = len(months)
    if maximum:
        totals = ", ".join(
            f"{str(series.label).lower()} {count_text(sum(row[i] for row in values))}"
            for i, series in enumerate(SERIES)
        )
        description = _(
            "Un groupe de barres par mois, de %(first)s à %(last)s : %(patterns)s. Total sur la période : %(totals)s."
        ) % {
            "first": columns[0].label,
            "last": columns[-1].label,
            "patterns": ", ".join(f"{str(s.label).lower()} en {s.pattern}" for s in SERIES),
            "totals": totals,
        }
    else:
        description = empty_text(count)
    return Chart(
        chart_id=chart_id,
        title=_("Activité des %(count)d derniers mois : %(subject)s") % {"count": count, "subject": subject},
        description=description,
        width=WIDTH,
        height=HEIGHT,
        left=svg_number(left),
        right=svg_number(WIDTH - RIGHT),
        top=svg_number(TOP),
        bottom=svg_number(bottom),
        middle_x=svg_number((left + WIDTH - RIGHT) / 2),
        middle_y=svg_number(TOP + plot_height / 2),
        month_y=svg_number(bottom + FONT_SIZE + 4),
        year_y=svg_number(bottom + FONT_SIZE + PHONE_FONT_SIZE + 6),
        ticks=[
            Tick(y=svg_number(y_of(value)), label=label)
            for value, label in zip(tick_values, tick_labels, strict=True)
        ],
        columns=columns,
        series=SERIES,
        empty=not maximum,
    )


def empty_text(count: int) -> str:
    return _("Aucune activité sur les %(count)d derniers mois.") % {"count": count}


@register.inclusion_tag("admin/includes/activity_chart.svg.html")
def activity_chart(months: list[MonthActivity], chart_id: str, subject: str) -> dict:
    """``{% activity_chart months chart_id subject %}``: the chart of ``months`` (a
    ``structures.dashboard`` series), its legend and its table; ``chart_id`` prefixes the ids
    of its parts (unique in the page), ``subject`` names what it counts in its title."""
    return {"chart": activity_chart_geometry(months, chart_id=chart_id, subject=subject)}
