"""What the tests of the daily emails share: a day to travel to, and the daily command's run."""

import datetime
import io

import time_machine
from django.core.management import call_command


def at(day: datetime.date):
    """Noon in Paris on ``day``."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 11, tzinfo=datetime.UTC))


def daily(capture) -> str:
    """``structures_daily``, its emails sent (``capture`` is django_capture_on_commit_callbacks);
    what it printed."""
    out = io.StringIO()
    with capture(execute=True):
        call_command("structures_daily", stdout=out)
    return out.getvalue()
