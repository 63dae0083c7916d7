"""The periods of the archive: a year, a month or a day in the site's time zone, shared by pages and feeds."""

from datetime import date, datetime, time, timedelta

from django.http import Http404
from django.utils import timezone

# Archive years that can exist: a newsroom's back issues, not the whole calendar (which also keeps every
# date and time computed from the address inside what Python and the databases can represent).
MIN_YEAR, MAX_YEAR = 1800, 2999


def archive_period(year, month=None, day=None):
    """The title and the [start, end) instants of a year, month or day in the site's time zone; 404 if none."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such year.")
    try:
        first = date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError as error:
        raise Http404("No such date.") from error
    if day:
        last, title = first + timedelta(days=1), first.strftime("%-d %B %Y")
    elif month:
        last, title = date(year + (month == 12), month % 12 + 1, 1), first.strftime("%B %Y")
    else:
        last, title = date(year + 1, 1, 1), str(year)
    zone = timezone.get_current_timezone()
    return title, datetime.combine(first, time.min, tzinfo=zone), datetime.combine(last, time.min, tzinfo=zone)
