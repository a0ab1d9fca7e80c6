"""manage.py import_seeds [PATH ...]: load front-matter Markdown articles (README: "Importing")."""

import argparse
import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importer import import_paths

# Off a terminal (a CI log), one progress line this often; a module setting so tests can change it.
PROGRESS_EVERY_SECONDS = 5.0


class Command(BaseCommand):
    help = "Import front-matter Markdown files (.md, .markdown, .mdx, .txt) as articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            metavar="PATH",
            help="Files or folders (searched recursively). Default: fixtures/seeds/.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would happen, with the fields that would change; write nothing.",
        )
        parser.add_argument(
            "--strict", action="store_true", help="All or nothing: if any file fails, write none of them."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite articles edited in the admin since their last import.",
        )
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="Download remote images and serve them from here (public addresses only, "
            "size and time capped). A failed fetch keeps the address and warns.",
        )
        parser.add_argument(
            "--jobs",
            type=_positive,
            metavar="N",
            help="Processes that parse and render files while this one writes them (1: this one "
            "alone). Default: one per core for 100 files or more, else 1. Outcomes are the same.",
        )
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="json: print one JSON document and nothing else on stdout.",
        )

    def handle(self, *args, paths, dry_run, strict, force, fetch_images, jobs, format, **options):
        if missing := [path for path in paths if not path.exists()]:
            raise CommandError(f"No such file or directory: {missing[0]}", returncode=2)
        as_json = format == "json"
        if dry_run and not as_json:
            self.stdout.write("dry run: nothing written")
        self._progress = _Progress(self.stderr, every=PROGRESS_EVERY_SECONDS)
        report = import_paths(
            paths or [settings.BASE_DIR / "fixtures" / "seeds"],
            dry_run=dry_run,
            strict=strict,
            force=force,
            fetch_images=fetch_images,
            jobs=jobs,
            on_outcome=None if as_json else lambda outcome: self._write_outcome(outcome, dry_run),
            on_progress=self._progress.update,
            keep_outcomes=as_json,
        )
        self._progress.finish()
        if as_json:
            document = {"files": [o.as_json() for o in report.outcomes], "summary": report.summary()}
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(report.summary_line())
        failed = report.count("failed")
        if failed:
            rolled_back = " Nothing was written (--strict)." if strict else ""
            raise CommandError(f"{failed} file(s) failed.{rolled_back}", returncode=1)

    def _write_outcome(self, outcome, dry_run):
        self._progress.clear()
        style = {"failed": self.style.ERROR, "skipped": self.style.WARNING}.get(outcome.action)
        self.stdout.write(style(outcome.line) if style else outcome.line)
        if dry_run:
            for name, (old, new) in outcome.changes.items():
                self.stdout.write(f"change {outcome.path} {name}: {old!r} -> {new!r}")
        for warning in outcome.warnings:
            self.stdout.write(self.style.WARNING(f"warning {outcome.path} {warning}"))


def _positive(text):
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, found {text!r}")
    return number


class _Progress:
    """A bar on a terminal; a line every `every` seconds otherwise (both on stderr, so stdout stays
    the report). Written unstyled: stderr's default style is the error colour."""

    def __init__(self, stream, *, every):
        self.stream = stream
        self.every = every
        self.tty = stream.isatty()
        self.started = self.last = time.monotonic()
        self.shown = False

    def update(self, done, total):
        now = time.monotonic()
        if self.tty and total > 1 and (now - self.last > 0.1 or done == total):
            width = 30
            filled = width * done // total
            self._write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files", ending="")
            self.stream.flush()
            self.last, self.shown = now, True
        elif not self.tty and now - self.last >= self.every:
            rate = done / max(now - self.started, 1e-6)
            self._write(f"progress {done}/{total} files ({rate:.0f} files/s)")
            self.last = now

    def clear(self):
        if self.shown:
            self._write("\r\033[K", ending="")
            self.shown = False

    def _write(self, text, ending=None):
        self.stream.write(text, style_func=str, ending=ending)

    def finish(self):
        self.clear()
