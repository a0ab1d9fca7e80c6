"""The files of an import, read in order and parsed and rendered ahead in worker processes.

`read_ahead()` yields one LoadedFile per path, in the order given, for the importer's one writer
(SQLite has one writer; PostgreSQL gets one too, so both do the same thing in the same order). The
main process reads and hashes each file: a file whose hash an article already has is not sent to a
worker at all (re-importing an unchanged tree stays a read-and-hash loop). Every other file is
parsed, validated and rendered by a worker; the writer uses the worker's HTML in Article.save() only
if it still matches what save() would render (Article.prerendered). The writer decides every outcome
itself, in file order, exactly as with one process: the workers only save it parsing and rendering.

Work in flight is bounded (a few chunks per worker), so memory does not grow with the number of
files. A worker that dies (a crash in a C extension, out of memory) breaks its pool, and one that
hangs (a parser caught in a loop) would stop the import for good: when a chunk is not back
`file_timeout` seconds after the writer starts waiting for it, or its pool broke, the pool is
stopped (its workers terminated) and the files in flight are retried one at a time in a fresh
pool, each given `file_timeout` seconds; the one that kills its worker again, or takes longer
again, fails with a line of its own; the others are imported. A failed file reaches the writer as
a Prepared with an error, so it writes nothing. An exception a worker raises is raised here, as it
would be with one process.

Workers are started with 'spawn', not 'fork': a forked child would inherit the writer's open
database connection (a PostgreSQL socket in the middle of a transaction, an SQLite handle) and
whatever locks other threads held at the fork; its exit could close the parent's session, and
Python 3.12+ warns that fork with threads (the executor's own) may deadlock. A spawned worker starts
clean and runs django.setup(); everything a file's parsing depends on (the time zone) is passed
with it, so settings overridden in the writer (tests) cannot differ.

On PostgreSQL a worker also makes its files' search vectors (search_vectors.made_ahead), on a
connection of its own to the writer's database (its settings passed at the worker's start), one
SELECT a chunk, writing nothing: stemming a 5 KB article costs PostgreSQL about as much as the rest
of its INSERT, and the one writer would otherwise wait for it file by file (issue 11). A worker that
cannot reach the database makes none, and the INSERT makes them as before.
"""

import logging
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

logger = logging.getLogger(__name__)
# Files per task: one round trip to a worker costs about as much as parsing a small file.
CHUNK_FILES = 8
# Chunks in flight per worker: enough to keep every worker busy while the writer writes a group of
# files (importer.GROUP_SIZE), whose articles it looks up together once they are all parsed.
CHUNKS_PER_WORKER = 8
# Without --jobs, workers start only for an import of at least this many files: starting them
# costs about a second, more than parsing a few dozen files.
MIN_FILES_FOR_WORKERS = 100
WORKER_DIED = (
    "a worker process died while parsing this file (it crashed or ran out of memory); "
    "the file was not imported"
)
WORKER_TIMED_OUT = (
    "took longer than {seconds:g} s to parse/render (IMPORT_FILE_TIMEOUT); its worker was stopped "
    "and the file was not imported"
)
# A stopped worker that has not exited this long after SIGTERM is sent SIGKILL.
STOP_GRACE_SECONDS = 5


@dataclass
class Prepared:
    """What a worker made of a file: its Seed, or the SeedError's text; the body's HTML as
    render(body, title=title) made it, or None (the writer renders it then); its search vector
    (search_vectors.SearchVectorAhead), or None (its INSERT makes it)."""

    seed: object = None
    error: str = ""
    rendered: object = None
    search_vector: object = None


@dataclass
class LoadedFile:
    """A file as the writer gets it: its bytes and import hash (or why it could not be read), and
    what a worker made of it (None: not sent to one; the writer parses it if it must)."""

    path: Path
    raw: bytes = b""
    digest: str = ""
    read_error: str = ""
    prepared: Prepared | None = None


def default_jobs(file_count):
    """Every core for a large import, one process for a small one."""
    return (os.cpu_count() or 1) if file_count >= MIN_FILES_FOR_WORKERS else 1


def read_ahead(paths, *, read, known_hashes, jobs, time_zone, file_timeout=None, search_database=None):
    """LoadedFile for each of `paths`, in order. `read(path)` -> (bytes, digest), raising SeedError
    or OSError; `known_hashes`: the digests of articles as imported (those files are not parsed),
    as a set or anything with `intersection(digests)`;
    `file_timeout`: seconds a worker may spend on one file (None: no limit). With one process
    there is no limit: nothing could stop the parser short of stopping the import.
    `search_database`: the settings_dict of the PostgreSQL database the writer writes, for the
    workers to make search vectors on (None: they make none)."""
    loaded = (_load(path, read) for path in paths)
    if jobs <= 1:
        yield from loaded
        return
    with _Workers(jobs, time_zone, file_timeout, search_database) as workers:
        yield from workers.prepared(loaded, known_hashes)


def _load(path, read):
    from .seeds import SeedError

    try:
        raw, digest = read(path)
    except SeedError as exc:
        return LoadedFile(path, read_error=str(exc))
    except OSError as exc:
        return LoadedFile(path, read_error=f"cannot read the file: {exc.strerror or exc}")
    return LoadedFile(path, raw, digest)


class _Workers:
    def __init__(self, jobs, time_zone, file_timeout, search_database=None):
        self.jobs, self.time_zone, self.file_timeout = jobs, time_zone, file_timeout
        self.search_database = search_database
        self.executor = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc_info):
        # Ended early (an error, or the importer closed us): nobody wants the work in flight, and a
        # hung worker must not hold up the exit.
        self._stop(force=exc_type is not None)

    def _submit(self, tasks):
        # Started at the first file to parse: re-importing an unchanged tree starts no worker.
        if self.executor is None:
            self._start()
        return self.executor.submit(prepare_files, tasks, self.time_zone)

    def _start(self):
        self._stop(force=True)
        self.executor = ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.search_database,),
        )
        # One worker up (spawned, django.setup() done) before any file's clock starts: a file's
        # time limit is for parsing and rendering it, not for starting Python.
        self.executor.submit(_ready).result()

    def _stop(self, *, force):
        """Shut the pool down; `force`: terminate its workers first (a hung one never returns)."""
        executor, self.executor = self.executor, None
        if executor is None:
            return
        if not force:
            executor.shutdown(wait=True, cancel_futures=True)
            return
        # ProcessPoolExecutor can terminate its workers only from Python 3.14
        # (terminate_workers()); this is what that does, through the same private mapping.
        processes = list((executor._processes or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()

    def prepared(self, loaded, known_hashes):
        """The LoadedFiles of `loaded`, in order, each with what a worker made of it if it needed
        parsing. A file is sent to a worker unless its bytes are an article's as imported (and not
        met before in this run: a second copy of them is parsed, as the writer will want it).
        `known_hashes.intersection(digests)`: which of a window's digests an article has (a set, or
        the importer's one query per window)."""
        # Only digests an article had when met: a file whose digest no article has is parsed anyway,
        # and a later copy the writer gets unparsed it parses itself, with the same outcome. So the
        # set stays empty in an import into an empty database (memory flat with N, issue 11).
        seen = set()
        pending = deque()  # [files, a future or its results or None (not sent)], in file order
        chunk = []

        def send(files):
            tasks = [(file.path, file.raw, file.digest) for file in files]
            future = self._submit(tasks) if tasks else None
            pending.append([files, future])

        for window in windows(loaded, CHUNK_FILES * self.jobs * CHUNKS_PER_WORKER):
            known = known_hashes.intersection([file.digest for file in window if not file.read_error])
            for file in window:
                needs_parsing = not file.read_error and (file.digest not in known or file.digest in seen)
                if not needs_parsing:
                    seen.add(file.digest)
                    # Ahead of any file still in flight it would overtake: keep the order.
                    if chunk:
                        send(chunk)
                        chunk = []
                    pending.append([[file], None])
                else:
                    chunk.append(file)
                    if len(chunk) == CHUNK_FILES:
                        send(chunk)
                        chunk = []
                while len(pending) > self.jobs * CHUNKS_PER_WORKER:
                    yield from self._done(pending)
        if chunk:
            send(chunk)
        while pending:
            yield from self._done(pending)

    def _done(self, pending):
        files, outcome = pending[0]
        if isinstance(outcome, Future):
            try:
                # The chunk's clock starts when the writer needs it; by then it has usually been
                # running a while, so a chunk of files each within the limit is not stopped early
                # except when many are slow, and then each is retried alone with the full limit.
                outcome = outcome.result(timeout=self.file_timeout)
            except (BrokenProcessPool, TimeoutError):
                self._recover(pending)
                files, outcome = pending[0]
        if outcome is not None:
            for file, prepared in zip(files, outcome, strict=True):
                file.prepared = prepared
        pending.popleft()
        yield from files

    def _recover(self, pending):
        """The pool broke or a chunk took too long: run every file in flight again, one at a time,
        in a fresh pool; the file that kills its worker again, or takes too long again, is the one
        to blame. Each entry's future becomes its results."""
        self._start()
        for entry in pending:
            files, outcome = entry
            if isinstance(outcome, Future):
                entry[1] = [self._alone(file) for file in files]

    def _alone(self, file):
        try:
            task = [(file.path, file.raw, file.digest)]
            return self._submit(task).result(timeout=self.file_timeout)[0]
        except BrokenProcessPool:
            self._start()
            return Prepared(error=WORKER_DIED)
        except TimeoutError:
            self._start()
            return Prepared(error=WORKER_TIMED_OUT.format(seconds=self.file_timeout))


def windows(items, size):
    """Lists of up to `size` of `items`, in order."""
    iterator = iter(items)
    while window := list(islice(iterator, size)):
        yield window


# In a worker: the connection its search vectors are made on, once opened; None: none to make.
_search_database = None


def _start_worker(search_database=None):
    global _search_database
    import django

    django.setup()
    if search_database is not None:
        from django.db.utils import load_backend

        _search_database = load_backend(search_database["ENGINE"]).DatabaseWrapper(
            search_database, alias="import_search_vectors"
        )


def _ready():
    """A task that only proves a worker is up."""


def prepare_files(tasks, time_zone):
    """In a worker: [(path, raw bytes, digest)] -> [Prepared], in order."""
    # Imported here, not at the top: this module is imported by a worker before django.setup().
    from .models import Article
    from .seeds import SeedError, parse_seed

    results = []
    for path, raw, digest in tasks:
        try:
            seed = parse_seed(raw, path=path, digest=digest, time_zone=time_zone)
        except SeedError as exc:
            results.append(Prepared(error=str(exc)))
            continue
        try:
            rendered = Article.prerender(seed.body, seed.title)
        except Exception:  # the writer renders it again, and reports the failure as it would
            rendered = None
        results.append(Prepared(seed=seed, rendered=rendered))
    _make_search_vectors([result for result in results if result.seed is not None])
    return results


def _make_search_vectors(prepared):
    """Each Prepared's search vector, made of its seed's values, in one query (PostgreSQL only). A
    connection that fails makes none for the rest of this worker's life: each file's INSERT does."""
    global _search_database
    if _search_database is None or not prepared:
        return
    from .models import Article
    from .search_vectors import made_ahead

    articles = [
        Article(title=seed.title, excerpt=seed.excerpt, body=seed.body, locale=seed.locale)
        for seed in (one.seed for one in prepared)
    ]
    try:
        vectors = made_ahead(articles, _search_database)
    except Exception:  # any failure only costs the writer the work saved here
        logger.warning("an import worker cannot make search vectors; the writer will", exc_info=True)
        _search_database.close()
        _search_database = None
        return
    for one, vector in zip(prepared, vectors, strict=True):
        one.search_vector = vector
