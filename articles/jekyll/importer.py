"""Importing Jekyll posts into Newsroom: one code path for ``import_jekyll`` and the admin upload page.

An import goes in stages, each in its own module: ``reading`` reads every file first (nothing is written for
a file that cannot be read); ``planning`` plans each new article's address (so ``{% post_url %}`` links
between imported posts resolve); ``writing`` writes each file in its own transaction, copying its images
through ``media``. Articles are matched to their file by ``source_file``, a path relative to the site root,
so importing again updates them; articles an editor has changed since are reported as conflicts and left
alone (unless ``force``). With ``as_drafts`` new articles wait in review for an editor.
"""

from django.db import transaction

from .media import MediaCopier
from .planning import Planner
from .reading import Post, Reader
from .report import FAILED, FileResult, ImportReport
from .writing import Writer


class Importer:
    """Import Jekyll posts. ``run(paths)`` returns an ImportReport."""

    def __init__(
        self, *, site_root=None, dry_run=False, force=False, as_drafts=False, user=None, progress=None, display="path"
    ):
        self.dry_run = dry_run
        self.progress = progress
        self.report = ImportReport(dry_run=dry_run, as_drafts=as_drafts)
        self.reader = Reader(site_root=site_root, display=display)
        self.planner = Planner()
        self.writer = Writer(
            planner=self.planner,
            media=MediaCopier(dry_run=dry_run),
            dry_run=dry_run,
            force=force,
            user=user,
            as_drafts=as_drafts,
        )

    def run(self, paths):
        entries = self.reader.discover(paths, missing=self._missing, unreadable=self._unreadable)
        parsed = self.reader.read_all(entries)
        plans = self.planner.plan([post for _, post in parsed if isinstance(post, Post)])
        if self.dry_run:
            with transaction.atomic():
                self._write_all(parsed, plans)
                transaction.set_rollback(True)
        else:
            self._write_all(parsed, plans)
        return self.report

    def _missing(self, given):
        self.report.add(FileResult(str(given), FAILED, reason="no such file or folder"))

    def _unreadable(self, given, error):
        """A site whose settings cannot be read is left out, with the reason; other paths go on."""
        self.report.problems.append(str(error) if self.reader.display == "key" else f"{given}: {error}")

    def _write_all(self, parsed, plans):
        total = len(parsed)
        for number, (entry, post) in enumerate(parsed, start=1):
            if isinstance(post, Post):
                result = self.writer.write(post, plans[post.key], entry.display)
            else:
                result = FileResult(entry.display, FAILED, reason=str(post))
            self.report.add(result)
            if self.progress:
                self.progress(result, number, total)


def import_paths(paths, **options):
    """Import post files and folders; see Importer for the options. Returns an ImportReport."""
    return Importer(**options).run(paths)
