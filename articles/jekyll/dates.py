"""Dates as Jekyll 4 reads them.

Jekyll passes every date through ``Time.parse(value.to_s)`` in the site's ``timezone``, after SafeYAML has
typed the front matter. The result, which surprises people:

- a date from the file name, a bare ``2025-07-04`` and any date-time that YAML leaves as a string (quoted,
  or a form SafeYAML does not take as a timestamp, such as ``2025-06-01 12:00`` or
  ``2024-11-02 08:15:00 +0100``) are in the site's time zone unless they carry an offset;
- an unquoted YAML timestamp without an offset (``2025-07-04T03:19:28``) is UTC;
- an explicit offset (``+0100``, ``+01:00``, ``Z``) is kept.
"""

import datetime
import email.utils
import re

from .frontmatter import YAML_DATE, YAML_TIME, Plain

DATETIME = re.compile(
    r"""\A\s*(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})
    (?:(?:[Tt]|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?
    \s*(?P<zone>[Zz]|UTC|GMT|[-+]\d{1,2}(?::?\d{2})?)?\s*\Z""",
    re.VERBOSE,
)
WORDY_FORMATS = ["%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y"]


class DateError(ValueError):
    pass


def _offset(zone):
    if zone in {None, ""}:
        return None
    if zone in {"Z", "z", "UTC", "GMT"}:
        return datetime.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 23 or minutes > 59:
        raise DateError(f"“{zone}” is not a time zone offset")
    return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))


def parse_text(text, zone, *, naive_zone=None):
    """``Time.parse`` for the forms Jekyll sites use; a value without an offset is read in ``naive_zone``."""
    text = str(text).strip()
    match = DATETIME.match(text)
    if match:
        parts = match.groupdict()
        try:
            value = datetime.datetime(
                int(parts["year"]),
                int(parts["month"]),
                int(parts["day"]),
                int(parts["hour"] or 0),
                int(parts["minute"] or 0),
                int(parts["second"] or 0),
                int((parts["fraction"] or "0")[:6].ljust(6, "0")),
            )
        except ValueError as error:
            raise DateError(f"“{text}” is not a real date ({error})") from error
        offset = _offset(parts["zone"])
        return value.replace(tzinfo=offset or naive_zone or zone)
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    for pattern in WORDY_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).replace(tzinfo=zone)  # noqa: DTZ007
        except ValueError:
            continue
    raise DateError(f"“{text}” is not a date Jekyll understands")


def jekyll_date(value, zone):
    """The aware datetime Jekyll gives a front matter value (see the module docstring)."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=zone)
    if isinstance(value, bool | int | float) or value is None:
        raise DateError(f"“{value}” is not a date")
    text = str(value).strip()
    if isinstance(value, Plain) and (YAML_TIME.match(text) or YAML_DATE.match(text)):
        # SafeYAML made a Date or a Time of it; one it could not make (30 February) stays a string and
        # Time.parse then fails on it too.
        moment = parse_text(text, zone, naive_zone=None if YAML_DATE.match(text) else datetime.UTC)
        return moment
    return parse_text(text, zone)


def filename_date(text, zone):
    try:
        return parse_text(text, zone)
    except DateError as error:
        raise DateError(f"the date in the file name, {error}") from error
