"""What an import did, file by file and in all: the same report for the command line and the admin page.

Editors see what changed, not only counts: which articles went live at once, which were scheduled, kept as
drafts or put in review; the authors, sections and tags created (and those matched to existing ones); the
redirects stored; and every warning, grouped by kind.
"""

import datetime
from dataclasses import dataclass, field

CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED = "created", "updated", "unchanged", "conflict", "failed"
LIVE, SCHEDULED, DRAFT, REVIEW = "live", "scheduled", "draft", "review"
# Warnings written as plain text are grouped by what they mention.
KIND_WORDS = [
    ("Images", ("image", "photo")),
    ("Liquid", ("Liquid", "{%")),
    ("Links", ("link",)),
    ("Redirects", ("old address",)),
    ("Dates", ("date", "last_modified_at")),
]


class ReportWarning(str):
    """A warning's text, with the kind it is grouped under in the report."""

    kind = "Other"


def warning(kind, text):
    """A warning to show under ``kind`` ("Liquid", "Links", "Images", ...)."""
    made = ReportWarning(text)
    made.kind = kind
    return made


def kind_of(text):
    if isinstance(text, ReportWarning):
        return text.kind
    return next((kind for kind, words in KIND_WORDS if any(word in text for word in words)), "Other")


def plural(number, word, words=None):
    """``1 warning``, ``2 warnings``."""
    return f"{number} {word if number == 1 else (words or word + 's')}"


@dataclass
class FileResult:
    path: str
    outcome: str
    reason: str = ""
    url: str = ""
    headline: str = ""
    article_id: int | None = None
    warnings: list = field(default_factory=list)
    status: str = ""  # the article's status after the import
    published_at: datetime.datetime | None = None
    records: list = field(default_factory=list)  # (what, name, "created" or "matched"): authors, sections, tags
    redirects: list = field(default_factory=list)  # old addresses stored for the article

    @property
    def skipped(self):
        return self.outcome in {CONFLICT, FAILED}

    @property
    def readers_see(self):
        """live, scheduled, draft or review, for an article this import created or updated."""
        if self.outcome not in {CREATED, UPDATED}:
            return ""
        if self.status == "published":
            now = datetime.datetime.now(datetime.UTC)
            return SCHEDULED if self.published_at and self.published_at > now else LIVE
        return REVIEW if self.status == "review" else DRAFT

    def record(self, what, name, created):
        self.records.append((what, name, CREATED if created else "matched"))


@dataclass
class ImportReport:
    dry_run: bool = False
    as_drafts: bool = False
    results: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # problems with the whole import, not one file
    notes: list = field(default_factory=list)  # e.g. entries of an uploaded archive that were left out

    def add(self, result):
        self.results.append(result)
        return result

    def of(self, outcome):
        return [result for result in self.results if result.outcome == outcome]

    @property
    def created(self):
        return self.of(CREATED)

    @property
    def updated(self):
        return self.of(UPDATED)

    @property
    def unchanged(self):
        return self.of(UNCHANGED)

    @property
    def conflicts(self):
        return self.of(CONFLICT)

    @property
    def failed(self):
        return self.of(FAILED)

    @property
    def skipped(self):
        return [result for result in self.results if result.skipped]

    @property
    def warnings(self):
        return [(result.path, warning) for result in self.results for warning in result.warnings]

    @property
    def ok(self):
        return not self.failed and not self.problems

    def seen_as(self, state):
        return [result for result in self.results if result.readers_see == state]

    @property
    def live(self):
        return self.seen_as(LIVE)

    @property
    def scheduled(self):
        return self.seen_as(SCHEDULED)

    @property
    def drafts(self):
        return self.seen_as(DRAFT)

    @property
    def in_review(self):
        return self.seen_as(REVIEW)

    @property
    def states(self):
        """What readers see of the articles this import created or updated, as (label, results)."""
        return [
            ("Live now", self.live),
            ("Scheduled", self.scheduled),
            ("In review", self.in_review),
            ("Kept as drafts", self.drafts),
        ]

    def records(self, what, how):
        """Names of the authors, sections or tags (``what``) this import created or matched (``how``)."""
        names = [
            name
            for result in self.results
            if result.outcome != FAILED
            for kind, name, done in result.records
            if kind == what and done == how
        ]
        return list(dict.fromkeys(names))

    @property
    def record_lines(self):
        """("Authors", created names, matched names), for authors, sections and tags."""
        return [
            (label, self.records(what, CREATED), self.records(what, "matched"))
            for label, what in (("Authors", "author"), ("Sections", "section"), ("Tags", "tag"))
        ]

    @property
    def redirects(self):
        return [(path, result.url) for result in self.results if result.outcome != FAILED for path in result.redirects]

    @property
    def warning_groups(self):
        """[(kind, [(path, warning), ...]), ...] in the order kinds first appear."""
        groups = {}
        for path, text in self.warnings:
            groups.setdefault(kind_of(text), []).append((path, text))
        return list(groups.items())

    def counts(self):
        return {
            CREATED: len(self.created),
            UPDATED: len(self.updated),
            UNCHANGED: len(self.unchanged),
            "skipped": len(self.skipped),
            "warnings": len(self.warnings),
        }

    def summary(self):
        counts = self.counts()
        text = ", ".join(f"{number} {label}" for label, number in counts.items() if label != "warnings")
        text += ", " + plural(counts["warnings"], "warning")
        return f"{text} (dry run: nothing was written)" if self.dry_run else text

    def lines(self):
        """The closing report as text lines."""
        lines = [("Dry run. " if self.dry_run else "") + "Import finished: " + self.summary() + "."]
        if self.as_drafts:
            lines.append("Imported as drafts: new articles wait in review for an editor.")
        lines += [f"Problem: {problem}" for problem in self.problems]
        lines += [f"Note: {note}" for note in self.notes]
        for label, results in self.states:
            if results:
                lines.append(f"{label} ({len(results)}):")
                for result in results:
                    when = f", publishes {result.published_at:%Y-%m-%d %H:%M} UTC" if label == "Scheduled" else ""
                    lines.append(f"  {result.headline} ({result.path}{when})")
        for label, created, matched in self.record_lines:
            parts = [f"{len(created)} created: {', '.join(created)}" if created else ""]
            parts.append(f"{len(matched)} matched: {', '.join(matched)}" if matched else "")
            if any(parts):
                lines.append(f"{label}: " + "; ".join(part for part in parts if part) + ".")
        if self.redirects:
            lines.append(f"Redirects stored ({len(self.redirects)}):")
            lines += [f"  {path} → {url}" for path, url in self.redirects]
        if self.skipped:
            lines.append("Skipped:")
            lines += [f"  {result.path}: {result.reason}" for result in self.skipped]
        if self.warnings:
            lines.append("Warnings:")
            for kind, warnings in self.warning_groups:
                lines.append(f"  {kind} ({plural(len(warnings), 'warning')}):")
                lines += [f"    {path}: {text}" for path, text in warnings]
        return lines
