"""Jekyll's date rules, form by form (see articles/jekyll/dates.py), and YAML kept as written."""

import datetime
import zoneinfo

import pytest

from articles.jekyll.dates import DateError, jekyll_date
from articles.jekyll.frontmatter import FrontMatterError, split, text_of

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = datetime.UTC


def at(year, month, day, hour=0, minute=0, second=0, tz=LONDON):
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=tz)


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2025-07-04", at(2025, 7, 4)),
        ("'2025-07-04'", at(2025, 7, 4)),
        ("2025-07-04 03:19:28", at(2025, 7, 4, 3, 19, 28, UTC)),
        ("2025-07-04T03:19:28", at(2025, 7, 4, 3, 19, 28, UTC)),
        ('"2025-07-04 03:19:28"', at(2025, 7, 4, 3, 19, 28)),
        ('"2025-07-04T03:19:28"', at(2025, 7, 4, 3, 19, 28)),
        ("2025-07-04 03:19:28 +0100", at(2025, 7, 4, 2, 19, 28, UTC)),
        ("2025-07-04 03:19:28 +01:00", at(2025, 7, 4, 2, 19, 28, UTC)),
        ("2025-07-04T03:19:28+01:00", at(2025, 7, 4, 2, 19, 28, UTC)),
        ("2025-07-04T03:19:28Z", at(2025, 7, 4, 3, 19, 28, UTC)),
        ('"2025-07-04 03:19:28 Z"', at(2025, 7, 4, 3, 19, 28, UTC)),
        ("2025-06-01 12:00", at(2025, 6, 1, 12)),
        ("2024-02-29 06:00:00", at(2024, 2, 29, 6, tz=UTC)),
        ("2025-01-20 09:00:00 -0500", at(2025, 1, 20, 14, tz=UTC)),
    ],
)
def test_front_matter_dates_give_the_instant_jekyll_gives(written, instant):
    data, _ = split(f"---\ndate: {written}\n---\n")
    assert jekyll_date(data["date"], LONDON) == instant


@pytest.mark.parametrize("written", ["2025-02-30", "2025-02-30 10:00:00", '"2025-13-01"', "tomorrow"])
def test_impossible_dates_fail_clearly(written):
    data, _ = split(f"---\ndate: {written}\n---\n")
    with pytest.raises(DateError):
        jekyll_date(data["date"], LONDON)


@pytest.mark.parametrize(("written", "text"), [("no", "no"), ("1984", "1984"), ("3.10", "3.10"), ("'yes'", "yes")])
def test_titles_keep_the_text_as_written(written, text):
    data, _ = split(f"---\ntitle: {written}\n---\n")
    assert text_of(data["title"]) == text


def test_unknown_yaml_tags_are_refused():
    with pytest.raises(FrontMatterError, match="not allowed"):
        split("---\ntitle: !!python/name:os.system\n---\n")
