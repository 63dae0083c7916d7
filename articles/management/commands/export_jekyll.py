from django.core.management.base import BaseCommand

from articles.jekyll.exporter import export_site


class Command(BaseCommand):
    help = (
        "Write every article as a Jekyll post (front matter, Markdown body, images under assets/) plus a "
        "_config.yml with the authors, into OUTDIR. import_jekyll reads the result back."
    )

    def add_arguments(self, parser):
        parser.add_argument("outdir", metavar="OUTDIR")

    def handle(self, *args, outdir, **options):
        result = export_site(outdir)
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(f"Exported {result.posts} post(s) and {result.images} image(s) to {outdir}.")
