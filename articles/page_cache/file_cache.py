"""The file cache for pages (CACHE_URL=filecache://…): Django's, culled without listing its folder on
every write, and oldest pages first.

Django's FileBasedCache lists every file of its folder on every set() to learn whether it is full: 85
ms at 30,000 files on the 2-core VM, paid by every stored page and by every page's first hit after
an edit (a hit that finds its page current stamps it, a set()). When full it deletes a random third
of its files, the most read pages among them.

This one keeps a *tally* beside the pages, a file with a byte appended (O_APPEND, atomic between
processes) on every set(): its size is at least the number of pages, as overwrites and pages
deleted on expiry are not taken off. Only when the tally reaches MAX_ENTRIES is the folder listed;
then one process at a time (a lock on the tally; the others carry on) deletes the files written
longest ago, expired ones first since every page lives about as long as any other, down to
MAX_ENTRIES less one CULL_FREQUENCY-th, and writes the true count as the new tally. A set() by another
process between the listing and the new tally is not counted, so with W processes writing at once
the folder may pass MAX_ENTRIES by at most W pages, until the next cull.

add() is atomic between processes (the page cache's state creates each missing generation with it):
Django's checks for the file and then writes it, so two processes could both "add" a generation,
the later overwriting the earlier, whose pages then claimed a generation that was no longer
current; served while the changes token held, they went stale at the next edit of anything (23
pages not named by an edit at 100,000 articles after a two-process warm-up, bench/README.md).
"""

import contextlib
import itertools
import os
import pickle
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks

TALLY = "pages.tally"
COMPRESSION_LEVEL = 1
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_written = itertools.count()


class PageFileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._tally = os.path.join(self._dir, TALLY)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Write `key` only if no process holds it: the file is linked into place, which fails when
        one exists (a rename, as set() does, would replace it)."""
        if self.has_key(key, version):  # present and not expired (an expired file is deleted)
            return False
        self._counted(1)
        fd, written = self._new_file()
        try:
            with open(fd, "wb") as out:
                self._write_content(out, timeout, value)
            os.link(written, self._key_to_file(key, version))
        except FileExistsError:
            return False  # another process added it first: its value stands
        finally:
            os.remove(written)
        return True

    def _write_content(self, file, timeout, value):
        """Django's, compressed at zlib's fastest level rather than its default (6): compressing was
        a tenth of an uncached API list's time, and level 1 takes about a third of that for files
        a fifth larger. get() reads either (zlib.decompress does not care for the level)."""
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), COMPRESSION_LEVEL))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """Django's, less file_move_safe()'s checks (two stat calls and an open): set_many()'s path,
        one key. Every stored page is one."""
        self.set_many({key: value}, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        """What a set() of each key does (each file written aside, then renamed into place), with
        the folder made and the tally appended to and checked once for all of them: the page
        cache's state is written this way, an import's batch of 200 files ~1,000 generations at a
        time, and those per-key steps (an open of the tally, a makedirs, file_move_safe's stat
        calls) were over half of each key's cost. May pass MAX_ENTRIES by the keys of one call."""
        if not data:
            return []
        self._counted(len(data))
        for key, value in data.items():
            fname = self._key_to_file(key, version)
            fd, tmp_path = self._new_file()
            try:
                with open(fd, "wb") as file:
                    self._write_content(file, timeout, value)
                os.replace(tmp_path, fname)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(tmp_path)
                raise
        return []

    def _counted(self, count):
        """Count `count` files about to be written (_cull), making the folder if it is missing: only
        then, not tried on every write as Django does (os.makedirs: a stat, a failing mkdir and
        another stat), since the tally is the first file a write opens."""
        try:
            self._cull(count)
        except FileNotFoundError:
            self._createdir()
            self._cull(count)

    def _new_file(self):
        """(fd, path) of a new file in the folder, for one process alone: what mkstemp() gives, named by
        the process and a count rather than by random letters (a third of mkstemp's time), and as
        safely, O_EXCL refusing a name that exists (left by a process that died, whose pid came
        back)."""
        while True:
            path = os.path.join(self._dir, f"{os.getpid()}-{next(_written)}.tmp")
            try:
                return os.open(path, _NEW_FILE, 0o600), path
            except FileExistsError:
                continue

    def _cull(self, count=1):
        """Called (through _counted) by add() before it writes a file, and by set_many() before its `count`."""
        with open(self._tally, "ab") as tally:
            tally.write(b"." * count)
            tally.flush()
            if os.fstat(tally.fileno()).st_size < self._max_entries:
                return
            if not locks.lock(tally, locks.LOCK_EX | locks.LOCK_NB):
                return  # another process is culling
            try:
                kept = self._cull_oldest()
                tally.truncate(0)
                tally.write(b"." * kept)
            finally:
                locks.unlock(tally)

    def _cull_oldest(self):
        """Delete the files written longest ago, if the folder is full; return how many are left."""
        files = []
        with os.scandir(self._dir) as entries:
            for entry in entries:
                if entry.name.endswith(self.cache_suffix):
                    # A file deleted meanwhile (expired, or culled by another process) is skipped.
                    with contextlib.suppress(FileNotFoundError):
                        files.append((entry.stat().st_mtime, entry.path))
        if len(files) < self._max_entries:
            return len(files)
        if self._cull_frequency == 0:
            doomed = files
        else:
            keep = self._max_entries - max(1, self._max_entries // self._cull_frequency)
            doomed = sorted(files)[: len(files) - keep]
        for _, path in doomed:
            self._delete(path)
        return len(files) - len(doomed)

    def clear(self):
        super().clear()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._tally)
