"""Turn front-matter Markdown files into Article rows.

`import_paths()` returns an ImportReport; it never prints, never exits, and writes each file in a
savepoint of its own, so a failed file leaves no rows. Dry run is the same code rolled back.
"""

import pickle
import time
from array import array
from contextlib import closing, contextmanager
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from publishing import outbox

from .import_report import ImportReport
from .import_savepoints import releases_sent_with_next_savepoint
from .import_workers import default_jobs, read_ahead, windows
from .import_writer import Writer
from .models import Article
from .seeds import read_file
from .table_statistics import GrowthWatch

SEED_SUFFIXES = {".md", ".markdown", ".mdx", ".txt"}
# Files per transaction: each file is still its own savepoint, but one commit per file would make a
# 10,000-file import spend most of its time committing.
BATCH_SIZE = 200
# Files whose articles are looked up together (one query): at most the read-ahead's window
# (import_workers), so that the workers parse the next group while this one is written.
GROUP_SIZE = 100
# The writer's SQLite page cache through an import, in KiB (SQLite's default is 2,000: 2 MB). The
# indexes an import writes into outgrow 2 MB within its first thousand files, and each insert then
# reads their inner pages from the file again, more of them the larger the tables: the writer's CPU a
# file grew with N (bench/README.md, "The import's SQLite page cache"). Full after ~3,000 files, so
# the writer's memory is as flat beyond as before; other connections keep SQLite's default.
IMPORT_SQLITE_CACHE_KIB = 65_536


def find_seed_files(paths):
    """Every seed file under `paths` (files as given; folders searched recursively), in sorted order."""
    return list(_PathList(_seed_file_names(paths)))


def _seed_file_names(paths):
    """find_seed_files() as text, in the same order: a Path costs ~370 bytes, 37 MB at 100,000."""
    found = set()
    for path in map(Path, paths):
        if path.is_dir():
            found.update(str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SEED_SUFFIXES)
        else:
            found.add(str(path))
    # Paths sort by their parts: "/" as the lowest character gives that order to the text.
    return sorted(found, key=lambda name: name.replace("/", "\0"))


class _PathList:
    """A sorted list of paths held as one block of text, ~the length of a path each, where a list
    of Path objects grew ~370 bytes a file (issue 11: the writer's memory flat with N)."""

    def __init__(self, names):
        encoded = [name.encode("utf-8", "surrogateescape") for name in names]
        self.text = b"".join(encoded)
        self.ends = array("q")
        end = 0
        for name in encoded:
            end += len(name)
            self.ends.append(end)

    def __len__(self):
        return len(self.ends)

    def __getitem__(self, index):
        start = self.ends[index - 1] if index else 0
        return Path(self.text[start : self.ends[index]].decode("utf-8", "surrogateescape"))

    def __iter__(self):
        return (self[index] for index in range(len(self)))


def import_paths(
    paths,
    *,
    dry_run=False,
    strict=False,
    force=False,
    fetch_images=False,
    jobs=None,
    on_outcome=None,
    on_progress=None,
    keep_outcomes=True,
):
    """Import every seed file under `paths`. `strict`: all or nothing for the whole batch;
    `fetch_images`: download remote images too (local ones next to a file are always stored);
    `jobs`: processes that parse and render (1: this one alone; None: every core for a large import),
    while this process alone writes, in file order, with the same outcomes whatever the number.
    `on_outcome(outcome)` hears of each file as it is done; `on_progress(done, total)` too."""
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run, keep_outcomes=keep_outcomes)
    files = _PathList(_seed_file_names(paths))
    writer = Writer(files, force=force, fetch_images=fetch_images)
    size = len(files) if strict or dry_run else BATCH_SIZE
    loaded = read_ahead(
        iter(files),
        read=_read,
        known_hashes=_ImportedHashes(),
        jobs=default_jobs(len(files)) if jobs is None else jobs,
        time_zone=settings.TIME_ZONE,
        file_timeout=settings.IMPORT_FILE_TIMEOUT or None,
        search_database=_search_database(),
    )
    statistics = GrowthWatch()
    # The workers stop also when an error ends the import early.
    with closing(loaded), _writer_page_cache(), releases_sent_with_next_savepoint(connection):
        for _ in range(0, max(len(files), 1), size or 1):
            created = report.count("created")
            # One transaction per batch. One publish event per changed article, written at the
            # batch's end; our page cache is told once per batch, after its commit, not once per file.
            with outbox.batch():
                for group in windows(islice(loaded, size or 1), GROUP_SIZE):
                    writer.look_up(group)
                    for file in group:
                        outcome = writer.import_file(file)
                        report.add(outcome)
                        if on_outcome:
                            on_outcome(outcome)
                        if on_progress:
                            on_progress(sum(report.counts.values()), len(files))
                writer.write_tag_links()
                writer.write_history()
                writer.write_search_vectors()
                if dry_run or (strict and report.count("failed")):
                    transaction.set_rollback(True)
            if not dry_run:
                statistics.created(report.count("created") - created)
    report.elapsed = time.perf_counter() - started
    return report


@contextmanager
def _writer_page_cache():
    """This connection's SQLite page cache at IMPORT_SQLITE_CACHE_KIB for the import, then as it was."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{IMPORT_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _search_database():
    """The settings of the database written, for the workers to make search vectors on: only
    PostgreSQL stores them. As the connection has them (a test database's name included); None
    if they cannot be sent to another process (an option that is not plain data)."""
    if connection.vendor != "postgresql":
        return None
    try:
        return pickle.loads(pickle.dumps(connection.settings_dict))
    except Exception:  # the workers make none; each INSERT makes its own
        return None


def _read(path):
    return read_file(path, max_bytes=settings.IMPORT_MAX_FILE_BYTES, time_zone=settings.TIME_ZONE)


class _ImportedHashes:
    """Which of the read-ahead's digests an article has: one query per window of files, none when
    no article had an import hash as the run began (an import into an empty database)."""

    any = None  # whether any article had one, asked at the first window (never with one process)

    def intersection(self, digests):
        if self.any is None:
            self.any = Article.objects.exclude(import_hash="").exists()
        if not self.any or not digests:
            return set()
        return set(Article.objects.filter(import_hash__in=set(digests)).values_list("import_hash", flat=True))
