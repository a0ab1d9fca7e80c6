"""manage.py import_seeds [PATH ...]: load front-matter Markdown articles (README: "Importing")."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importer import import_paths


class Command(BaseCommand):
    help = "Import front-matter Markdown files (.md, .markdown, .txt) as articles."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                            help="Files or folders (searched recursively). Default: fixtures/seeds/.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Report what would happen; write nothing.")
        parser.add_argument("--strict", action="store_true",
                            help="All or nothing: if any file fails, write none of them.")
        parser.add_argument("--force", action="store_true",
                            help="Overwrite articles edited in the admin since their last import.")

    def handle(self, *args, paths, dry_run, strict, force, **options):
        if missing := [path for path in paths if not path.exists()]:
            raise CommandError(f"No such file or directory: {missing[0]}", returncode=2)
        if dry_run:
            self.stdout.write("dry run: nothing written")
        report = import_paths(paths or [settings.BASE_DIR / "fixtures" / "seeds"], dry_run=dry_run,
                              strict=strict, force=force, on_outcome=self._write_outcome)
        self.stdout.write(report.summary_line())
        failed = report.count("failed")
        if failed:
            rolled_back = " Nothing was written (--strict)." if strict else ""
            raise CommandError(f"{failed} file(s) failed.{rolled_back}", returncode=1)

    def _write_outcome(self, outcome):
        style = {"failed": self.style.ERROR, "skipped": self.style.WARNING}.get(outcome.action)
        self.stdout.write(style(outcome.line) if style else outcome.line)
        for warning in outcome.warnings:
            self.stdout.write(self.style.WARNING(f"warning {outcome.path} {warning}"))
