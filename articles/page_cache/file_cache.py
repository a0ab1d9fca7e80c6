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
import threading
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks

TALLY = "pages.tally"
# zlib's level for what is written (OPTIONS COMPRESS_LEVEL, `?compress_level=N` in CACHE_URL). 0 keeps
# zlib's framing and checksum but stores the bytes as they are, as Redis keeps pages: compressing at
# level 1 cost an uncached API list about 125 us in a loaded process (a tenth of the miss, 55 us
# timed alone), for files a third to a quarter the size (bench/README.md, "Pages stored as they are").
COMPRESS_LEVEL = 0
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_TALLY = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
_written = itertools.count()
# {tally path: (pid, fd)}: the tallies this process holds open (PageFileCache._tally_fd).
_tallies = {}
_tallies_lock = threading.Lock()
_culling = threading.Lock()


class PageFileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._tally = os.path.join(self._dir, TALLY)
        self._compress_level = int(params.get("OPTIONS", {}).get("COMPRESS_LEVEL", COMPRESS_LEVEL))

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
        """Django's, at this cache's zlib level (COMPRESS_LEVEL) rather than Django's 6. get() reads
        files of any level (zlib.decompress does not care for it), so changing it needs no clear."""
        expiry = self.get_backend_timeout(timeout)
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), self._compress_level))

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
        """Called (through _counted) by add() before it writes a file, and by set_many() before its
        `count`. The tally stays open in each process (opening and closing it was a tenth of a
        stored page's file work): O_APPEND keeps appends atomic between processes, and a tally
        deleted meanwhile (clear(), the folder removed) is opened again, made again if need be."""
        fd, tally = self._append(count)
        if tally.st_nlink == 0:
            self._close_tally()
            fd, tally = self._append(count)  # FileNotFoundError when the folder is gone: _counted makes it
        if tally.st_size < self._max_entries:
            return
        # The lock on the tally keeps other processes out; this process's threads share its descriptor,
        # and so the lock, so they keep each other out with one of their own.
        if not _culling.acquire(blocking=False):
            return  # another thread is culling
        try:
            if not locks.lock(fd, locks.LOCK_EX | locks.LOCK_NB):
                return  # another process is culling
            try:
                kept = self._cull_oldest()
                os.ftruncate(fd, 0)
                os.write(fd, b"." * kept)
            finally:
                locks.unlock(fd)
        finally:
            _culling.release()

    def _append(self, count):
        """(fd, stat) of the tally once `count` bytes are appended to it."""
        fd = self._tally_fd()
        os.write(fd, b"." * count)
        return fd, os.fstat(fd)

    def _tally_fd(self):
        """This process's descriptor of the tally, shared by every instance of the cache (Django makes
        one a thread: runserver's threads would each have left one open)."""
        with _tallies_lock:
            held = _tallies.get(self._tally)
            if held is None or held[0] != os.getpid():  # none yet, or inherited through a fork
                held = _tallies[self._tally] = (os.getpid(), os.open(self._tally, _TALLY, 0o600))
            return held[1]

    def _close_tally(self):
        with _tallies_lock:
            held = _tallies.pop(self._tally, None)
            if held is not None and held[0] == os.getpid():
                os.close(held[1])

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
        self._close_tally()
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._tally)
