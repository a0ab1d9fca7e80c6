"""bench/cache_edits.py, the instrument of issue 11's single-edit promise: an edit is one admin save
however many pages are cached (it was once one save per cached page: thousands of edits, every page
stale, 9+ minutes at 20,000 articles), and it tells the pages an edit made stale from those its event
named, so that a page made stale and not named is counted."""

from datetime import UTC, datetime, timedelta

from bench.cache_edits import edits

NOW = datetime(2026, 11, 27, tzinfo=UTC)
PKS = list(range(1000, 1200))  # in popularity order: the edits take ranks 1 and 100


class _Replay:
    """The pages stored so far; what readers ask again."""

    def __init__(self, cached):
        self.stored_at = dict.fromkeys(cached, 0.0)
        self.cached = cached

    def get(self, kind, path):
        self.cached.add(path)  # asked again: rendered and cached anew


def _run(makes_stale):
    """The edits phase over 50 cached pages, each save naming key `a1` and making `makes_stale[i]`
    stale; the pks saved, and the results."""
    cached = {f"/blog/a{number}" for number in range(50)}
    replay = _Replay(cached)
    saved = []

    def edit(editor, pk):
        cached.difference_update(makes_stale[len(saved)])
        saved.append(pk)
        return frozenset({"a1"}), 30, 0.2

    def look_up(paths):
        """Each cached page names its article's key (a1 for /blog/a1)."""
        return {
            path: (NOW, NOW + timedelta(days=1), frozenset({path.rsplit("/", 1)[1]}))
            if path in cached
            else (NOW, None, frozenset())
            for path in paths
        }

    return saved, edits(replay, None, PKS, 2, edit=edit, look_up=look_up)


def test_each_edit_is_one_save_and_makes_stale_what_it_names():
    saved, results = _run([{"/blog/a1"}, {"/blog/a1"}])
    assert saved == [PKS[0], PKS[99]]
    for result in results:
        assert (result["cached"], result["named"], result["stale"]) == (50, 1, 1)
        assert (result["stale_not_named"], result["named_still_served"]) == (0, 0)
        assert (result["save_queries"], result["save_ms"]) == (30, 200.0)


def test_a_page_made_stale_and_not_named_is_counted():
    _, results = _run([{"/blog/a1", "/blog/a7"}, set()])
    assert [(r["stale"], r["stale_not_named"], r["named_still_served"]) for r in results] == [
        (2, 1, 0),
        (0, 0, 1),
    ]
