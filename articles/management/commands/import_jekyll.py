from django.core.management.base import BaseCommand, CommandError

from articles.jekyll.importer import import_paths


class Command(BaseCommand):
    help = (
        "Import Jekyll posts (Markdown or HTML files with YAML front matter) as articles. PATH may be post "
        "files or folders; a site's _posts/ and _drafts/ are found inside folders. Importing again updates the "
        "same articles; ones an editor has changed since are reported as conflicts and left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="post files or folders")
        parser.add_argument(
            "--site-root",
            metavar="DIR",
            help="the Jekyll site (with _config.yml) that images and settings come from; "
            "found by walking up from PATH when not given",
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would happen, write nothing")
        parser.add_argument(
            "--force", action="store_true", help="overwrite articles an editor has changed since the last import"
        )
        parser.add_argument(
            "--as-drafts",
            action="store_true",
            help="put every new article in review for an editor instead of publishing it (articles imported "
            "before keep their status)",
        )

    def handle(self, *args, paths, site_root, dry_run, force, as_drafts, verbosity, **options):
        def progress(result, number, total):
            if verbosity < 1:
                return
            detail = result.url or result.reason
            style = self.style.ERROR if result.outcome == "failed" else self.style.SUCCESS
            if result.outcome in {"unchanged", "conflict"}:
                style = self.style.WARNING if result.outcome == "conflict" else str
            line = f"[{number}/{total}] {style(result.outcome)} {result.path}"
            self.stdout.write(f"{line} → {detail}" if detail else line)

        report = import_paths(
            paths, site_root=site_root, dry_run=dry_run, force=force, as_drafts=as_drafts, progress=progress
        )
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            failed = len(report.failed)
            raise CommandError(f"{failed} file(s) could not be imported." if failed else "; ".join(report.problems))
