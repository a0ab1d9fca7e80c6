"""The file cache of pages holds at most PAGE_CACHE_MAX_ENTRIES of them: when full it deletes the
ones written longest ago (a tenth, not a random third), it learns that it is full without listing its
folder on every write, and the page cache's state, sized apart (PAGE_STATE_MAX_ENTRIES), is never
culled by page traffic however many keys the cached pages name."""

import glob
import itertools
import os

from django.core.cache import caches

from articles import surrogate_keys
from articles.page_cache import CHANGES_KEY, file_cache, generation_key
from articles.page_cache.file_cache import PageFileCache
from cms.settings import cache_settings

from .factories import make_article


def _cache(folder, limit):
    return PageFileCache(str(folder), {"OPTIONS": {"MAX_ENTRIES": limit, "CULL_FREQUENCY": 10}})


def _pages(folder):
    return list(folder.glob("*.djcache"))


def test_never_holds_more_pages_than_its_limit(tmp_path):
    cache = _cache(tmp_path, 20)
    for number in range(200):
        cache.set(f"page-{number}", b"x" * 100)
        assert len(_pages(tmp_path)) <= 20
    # A tenth culled at a time: the cache stays nearly full, the last page written is in it.
    assert len(_pages(tmp_path)) >= 18
    assert cache.get("page-199") == b"x" * 100


def test_culls_the_pages_written_longest_ago(tmp_path):
    cache = _cache(tmp_path, 20)

    def write(number, value, moment):
        cache.set(f"page-{number}", value)
        # File times are coarse (a few ms): each page is given the time it was written at.
        os.utime(cache._key_to_file(f"page-{number}"), (moment, moment))

    for number in range(19):
        write(number, number, 1_000_000 + number)
    write(0, "written again", 2_000_000)  # now the youngest
    write(19, 19, 2_000_001)  # the cache is full
    write(20, 20, 2_000_002)  # so the two written longest ago go
    kept = {number for number in range(21) if cache.get(f"page-{number}") is not None}
    assert kept == set(range(21)) - {1, 2}
    assert cache.get("page-0") == "written again"


def test_a_write_lists_the_folder_only_when_the_cache_may_be_full(tmp_path, monkeypatch):
    listings = []
    scandir, glob_ = os.scandir, glob.glob
    monkeypatch.setattr(os, "scandir", lambda *args: listings.append(args) or scandir(*args))
    monkeypatch.setattr(glob, "glob", lambda *args, **kwargs: listings.append(args) or glob_(*args, **kwargs))
    cache = _cache(tmp_path, 100)
    for number in range(99):
        cache.set(f"page-{number}", number)
    assert listings == []
    for number in range(99, 300):
        cache.set(f"page-{number}", number)
    # One listing per cull, and a cull frees a tenth: about 20 of them for 200 writes past the limit,
    # where Django's FileBasedCache lists the folder on each of the 300 writes.
    assert 0 < len(listings) <= 25


def test_set_many_writes_each_key_and_counts_them_with_one_tally_write(tmp_path, monkeypatch):
    cache = _cache(tmp_path, 1000)
    culls = []
    cull = cache._cull
    monkeypatch.setattr(cache, "_cull", lambda *args: culls.append(args) or cull(*args))
    assert cache.set_many({f"key-{number}": number for number in range(50)}) == []
    assert [cache.get(f"key-{number}") for number in range(50)] == list(range(50))
    # The tally counts every key, as 50 set()s would, and was opened once.
    assert len(culls) == 1 and os.path.getsize(tmp_path / "pages.tally") == 50
    assert len(_pages(tmp_path)) == 50  # no temporary file left behind


def test_set_many_past_the_limit_culls_the_oldest(tmp_path):
    cache = _cache(tmp_path, 20)
    for number in range(30):
        cache.set_many({f"page-{number}": number})
        assert len(_pages(tmp_path)) <= 20
    assert cache.get("page-29") == 29


def test_a_full_cache_keeps_the_state_of_every_page_it_holds(client, db, settings, tmp_path):
    """Each article page names three keys (itself, its two neighbours): with the state sized like the
    pages, a full cache culled generations faster than pages, and each lost one made pages stale."""
    limit = 6
    settings.CACHES = cache_settings(f"filecache://{tmp_path}/cache", max_pages=limit)
    articles = [make_article() for _ in range(4 * limit)]
    for article in articles:
        assert client.get(article.get_absolute_url()).status_code == 200
    assert len(_pages(tmp_path / "cache")) <= limit
    state = caches[settings.PAGE_STATE_CACHE]
    names = [generation_key(surrogate_keys.article(article.pk)) for article in articles]
    names += [generation_key(surrogate_keys.neighbour(article.pk)) for article in articles]
    names += [generation_key("site"), CHANGES_KEY]
    assert set(state.get_many(names)) == set(names)


def test_add_keeps_what_another_process_added_first(tmp_path, monkeypatch):
    """The page cache's state creates a missing generation with add(): of two processes adding at once,
    one wins and the other learns it lost, so no page claims a generation that is not current."""
    ours, theirs = _cache(tmp_path, 20), _cache(tmp_path, 20)  # two processes, one folder
    assert ours.add("gen:a", "first", None) and not ours.add("gen:a", "second", None)
    assert ours.get("gen:a") == "first"
    # The race: we found no file, then the other process added it before we wrote ours.
    monkeypatch.setattr(ours, "has_key", lambda key, version=None: False)
    assert theirs.add("gen:b", "theirs", None)
    assert not ours.add("gen:b", "ours", None)
    assert theirs.get("gen:b") == "theirs"
    assert not list(tmp_path.glob("*.tmp"))  # nothing left behind by the attempt


def test_a_write_makes_the_folder_again_once_it_is_gone(tmp_path):
    folder = tmp_path / "pages"
    cache = _cache(folder, 20)
    cache.set("page-1", b"one")
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    cache.set("page-2", b"two")
    cache.set_many({"page-3": b"three", "page-4": b"four"})
    assert cache.get_many(["page-2", "page-3", "page-4"]) == {
        "page-2": b"two",
        "page-3": b"three",
        "page-4": b"four",
    }


def test_a_write_never_takes_a_file_left_under_its_name(tmp_path, monkeypatch):
    """Files are written aside under the process id and a count, then renamed into place: a file
    left under the next name (a process that died, whose id came back) is neither reused nor lost."""
    monkeypatch.setattr(file_cache, "_written", itertools.count(7))
    left = tmp_path / f"{os.getpid()}-7.tmp"
    left.write_bytes(b"left behind")
    cache = _cache(tmp_path, 20)
    cache.set("page-1", b"one")
    assert cache.add("gen:a", "first", None)
    assert cache.get("page-1") == b"one" and cache.get("gen:a") == "first"
    assert left.read_bytes() == b"left behind"
    assert list(tmp_path.glob("*.tmp")) == [left]


def test_pages_are_stored_as_they_are_unless_the_cache_url_asks_for_compression(tmp_path):
    page = b"<p>a page that compresses well</p>" * 1000
    plain = PageFileCache(str(tmp_path / "plain"), cache_settings(f"filecache://{tmp_path}/plain")["default"])
    packed = PageFileCache(
        str(tmp_path / "packed"), cache_settings(f"filecache://{tmp_path}/packed?compress_level=1")["default"]
    )
    plain.set("page", page)
    packed.set("page", page)
    assert os.path.getsize(plain._key_to_file("page")) > len(page)
    assert os.path.getsize(packed._key_to_file("page")) < len(page) / 10
    # Either reads the other's files: a change of level needs no clear.
    os.replace(packed._key_to_file("page"), plain._key_to_file("other"))
    assert plain.get("page") == page and plain.get("other") == page


def test_the_tally_is_opened_once_a_process_and_again_once_deleted(tmp_path, monkeypatch):
    cache = _cache(tmp_path / "pages", 1000)
    opened = []
    open_ = os.open
    monkeypatch.setattr(
        os, "open", lambda path, *args, **kwargs: opened.append(path) or open_(path, *args, **kwargs)
    )
    for number in range(20):
        cache.set(f"page-{number}", number)
    _cache(tmp_path / "pages", 1000).set("page-20", 20)  # another thread's instance: the same tally
    assert opened.count(cache._tally) == 1
    assert os.path.getsize(cache._tally) == 21
    cache.clear()
    cache.set("page-a", "a")
    cache.set_many({"page-b": "b", "page-c": "c"})
    # Counted in the new tally, not in the deleted one this process held open.
    assert os.path.getsize(cache._tally) == 3
    (tmp_path / "pages" / "pages.tally").unlink()  # as another process's clear() would
    cache.set("page-d", "d")
    assert os.path.getsize(cache._tally) == 1
    assert opened.count(cache._tally) == 3


def test_one_thread_at_a_time_culls(tmp_path, monkeypatch):
    """Threads share the process's tally, and its lock: they keep each other out with their own."""
    listings = []
    scandir = os.scandir
    monkeypatch.setattr(os, "scandir", lambda *args: listings.append(args) or scandir(*args))
    cache = _cache(tmp_path, 10)
    with file_cache._culling:  # another thread culling
        for number in range(15):
            cache.set(f"page-{number}", number)
    assert listings == []
    cache.set("page-15", 15)
    assert len(listings) == 1 and len(_pages(tmp_path)) <= 10
