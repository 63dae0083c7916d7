"""What an import did, file by file: the same report for the command line and the admin page."""

from dataclasses import dataclass, field

CREATED, UPDATED, UNCHANGED, CONFLICT, FAILED = "created", "updated", "unchanged", "conflict", "failed"


class ReportWarning(str):
    """A warning's text, with the kind it is grouped under in the report."""

    kind = "Other"


def warning(kind, text):
    """A warning to show under ``kind`` ("Liquid", "Links", "Images", ...)."""
    made = ReportWarning(text)
    made.kind = kind
    return made


@dataclass
class FileResult:
    path: str
    outcome: str
    reason: str = ""
    url: str = ""
    headline: str = ""
    article_id: int | None = None
    warnings: list = field(default_factory=list)

    @property
    def skipped(self):
        return self.outcome in {CONFLICT, FAILED}


@dataclass
class ImportReport:
    dry_run: bool = False
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
        text = ", ".join(f"{number} {label}" for label, number in counts.items())
        return f"{text} (dry run: nothing was written)" if self.dry_run else text

    def lines(self):
        """The closing report as text lines."""
        lines = [("Dry run. " if self.dry_run else "") + "Import finished: " + self.summary() + "."]
        lines += [f"Problem: {problem}" for problem in self.problems]
        lines += [f"Note: {note}" for note in self.notes]
        if self.skipped:
            lines.append("Skipped:")
            lines += [f"  {result.path}: {result.reason}" for result in self.skipped]
        if self.warnings:
            lines.append("Warnings:")
            lines += [f"  {path}: {warning}" for path, warning in self.warnings]
        return lines
