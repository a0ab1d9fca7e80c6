"""Worker tasks that kill or hang their worker process on chosen files, for tests of the import's
worker pool (articles/import_workers.py). Spawned workers import them by name, so they live in a
module."""

import os
import time

from articles import import_workers


def prepare_files_or_die(tasks, time_zone):
    """What a C extension's crash on a file looks like to the pool: the process is gone at once."""
    if any("kills-its-worker" in path.name for path, _, _ in tasks):
        os._exit(70)
    return import_workers.prepare_files(tasks, time_zone)


def prepare_files_or_hang(tasks, time_zone):
    """What a parser caught in a loop looks like to the pool: the task never returns."""
    if any("hangs-its-worker" in path.name for path, _, _ in tasks):
        time.sleep(3600)
    return import_workers.prepare_files(tasks, time_zone)
