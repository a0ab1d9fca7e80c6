from django.core.management.base import BaseCommand, CommandError

from edge.backends import EdgePurgeError
from edge.releases import announce


class Command(BaseCommand):
    help = (
        "Purges every edge cache in EDGE_CACHES (Varnish, Cloudflare, CloudFront) of the pages an "
        "earlier release rendered, once per release (edge/releases.py). Run it once every origin "
        "serves the new release: deploy/serve-edge.sh runs it at start. Running it again for the same "
        "release purges nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Purge even if this release was announced.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say whether the edges would be purged; change nothing."
        )

    def handle(self, *args, force, dry_run, **options):
        try:
            outcome = announce(force=force, dry_run=dry_run)
        except EdgePurgeError as exc:
            raise CommandError(
                f"{exc}. The release was not recorded: run announce_release again once the edge answers.",
                returncode=1,
            ) from exc
        edges = ", ".join(outcome.edges)
        if not outcome.purged:
            line = f"Release {outcome.release} was announced already; nothing purged."
        elif not edges:
            line = f"Release {outcome.release}: no edge cache configured (EDGE_CACHES), nothing to purge."
        else:
            verb = "Would purge" if dry_run else "Purged"
            since = outcome.previous or "none recorded"
            line = f"{verb} every page at the edge for release {outcome.release} (last: {since}): {edges}."
        self.stdout.write(line)
