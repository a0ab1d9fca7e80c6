"""manage.py export_articles OUTDIR: every article as a front-matter Markdown file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from articles.exporter import export_articles


class Command(BaseCommand):
    help = "Write every article to OUTDIR as a front-matter Markdown file (imported, unedited ones byte for byte)."

    def add_arguments(self, parser):
        parser.add_argument("outdir", type=Path)

    def handle(self, *args, outdir, **options):
        written = export_articles(outdir)
        for path, how in written:
            self.stdout.write(f"{how} {path}")
        self.stdout.write(f"{len(written)} articles written to {outdir}")
