"""Translations: articles in several languages linked as one set, the way Hugo's files say it
(gohugo.io/content-management/multilingual).

A set is named by its translation key: the `translationKey` front-matter key (or an alias), else
the file name: `post.fr.md` is in the set of `post.md` beside it, and `index.fr.md` in the set of
its page bundle (`index.md` or `_index.md` in the same folder). The key a file name gives is the
folder's name and the base name ("post/chapter-1", or "my-bundle/index" for a bundle's folder), so
files elsewhere that share a base name are not taken for translations.

An article's language is its `locale`, else the file name's language code, else the language of
a folder of the path named as one (Hugo's "content/fr/..." layout), else the site's LANGUAGE_CODE.

Addresses stay /blog/<slug> in every language: the seed's address and every link already given out
keep working, where Django's i18n_patterns would move every page under /<lang>/. So slugs stay
unique across languages, and a translation with the same title gets its own slug (the importer
says so when a slug is taken).
"""

import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db.models import Q
from django.http import Http404

# Front-matter keys of a translation key: Hugo's name first.
TRANSLATION_KEYS = ("translationKey", "translation_key", "translationkey", "ref")
TRANSLATION_KEY_MAX_LENGTH = 200
_LANGUAGE_IN_NAME = re.compile(r"^(?P<base>.+)\.(?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)$")
BUNDLE_INDEX = {"index", "_index"}


def known_language(code):
    """Whether `code` (en, fr, pt-BR, zh-Hans...) names a language Django knows."""
    code = code.lower().replace("_", "-")
    return code in LANG_INFO or code.split("-")[0] in LANG_INFO


def normalized(code):
    """A language code written as a locale tag: lower-case language, upper-case region (pt-BR),
    title-case script (zh-Hans)."""
    parts = code.replace("_", "-").split("-")
    tail = [part.upper() if len(part) == 2 else part.title() for part in parts[1:]]
    return "-".join([parts[0].lower(), *tail])


def language_in_file_name(path):
    """(language code, base name) of a file named like `post.fr.md`, else ("", stem)."""
    stem = Path(path).stem
    match = _LANGUAGE_IN_NAME.match(stem)
    if match and known_language(match["code"]):
        return normalized(match["code"]), match["base"]
    return "", stem


def language_of_folder(path):
    """The language a folder of the path is named as (content/fr/post/x.md: fr), nearest first."""
    for folder in reversed(Path(path).parent.parts):
        if 2 <= len(folder) <= 7 and folder.isascii() and known_language(folder) and "-" not in folder[:2]:
            return normalized(folder)
    return ""


def file_language(path):
    """The language a file's name or folders give it, or ""."""
    return language_in_file_name(path)[0] or language_of_folder(path)


def key_from_file_name(path):
    """The translation key a file's name gives: set for `post.fr.md`, and for `post.md` when a
    `post.<language>.md` lies beside it; "" for a file with no translation beside it."""
    path = Path(path)
    code, base = language_in_file_name(path)
    if not code and not _has_translation_beside(path):
        return ""
    if base in BUNDLE_INDEX:
        return f"{path.parent.parent.name}/{path.parent.name}"[-TRANSLATION_KEY_MAX_LENGTH:]
    return f"{path.parent.name}/{base}"[-TRANSLATION_KEY_MAX_LENGTH:]


def _has_translation_beside(path):
    if not path.is_absolute() and not path.parent.parts:
        return False  # a bare name (an export re-reading its own front matter): no folder to look in
    try:
        translated = _translations_in(str(path.parent), os.stat(path.parent).st_mtime_ns)
    except OSError:
        return False
    stem = path.stem
    bases = BUNDLE_INDEX if stem in BUNDLE_INDEX else {stem}
    return any(translated.get((path.suffix, base), set()) - {path.name} for base in bases)


@lru_cache(maxsize=256)
def _translations_in(folder, _mtime_ns):
    """{(suffix, base name): names} of the files in `folder` named with a language (`post.fr.md`:
    (".md", "post")), worked out once per import (keyed by the folder's mtime: a new file lists it
    again). Each file's check is then a lookup: reading every name of a 1,000-file folder for each
    of its files cost 150 ms a file (issue 11)."""
    translated = {}
    for name in os.listdir(folder):
        other = Path(name)
        code, base = language_in_file_name(other)
        if code:
            translated.setdefault((other.suffix, base), set()).add(name)
    return translated


def site_language():
    return normalized(settings.LANGUAGE_CODE)


def same_language(one, other):
    return (one or site_language()).lower() == (other or site_language()).lower()


def in_language_order(versions):
    """A set's versions (anything with .language and .pk) as a switcher and hreflang list them."""
    return sorted(versions, key=lambda version: version.language.lower())


def default_version(versions):
    """The version hreflang="x-default" points at, the same from every page of a set: the one in the
    site's language, else the oldest."""
    site = site_language().lower()
    return next((v for v in versions if v.language.lower() == site), min(versions, key=lambda v: v.pk))


# Lists, feeds and search narrowed to one language: ?lang=fr.
LANGUAGE_PARAMETER = "lang"
_narrowed = ContextVar("narrowed_language", default="")


def requested_language(request):
    """The language a list, feed or search was asked for (?lang=fr), normalized, or "" for all;
    404 for a code that names no language (there is no such page)."""
    code = request.GET.get(LANGUAGE_PARAMETER, "").strip()
    if not code:
        return ""
    if (
        len(code) > 35
        or not re.fullmatch(r"[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*", code)
        or not known_language(code)
    ):
        raise Http404(f"No language {code[:35]!r}.")
    return normalized(code)


def in_language(articles, code, via=""):
    """`articles` in language `code` ("" for all): an article with no locale is in the site's.
    `via` is the path to the article from the rows filtered ("article__" from a tag's links)."""
    if not code:
        return articles
    matches = Q(**{f"{via}locale__iexact": code})
    if code.lower() == site_language().lower():
        matches |= Q(**{f"{via}locale": ""})
    return articles.filter(matches)


@contextmanager
def narrowed_to(code):
    """Within: in_narrowed_language() narrows to `code` (a feed's items(), which sees no request)."""
    token = _narrowed.set(code)
    try:
        yield
    finally:
        _narrowed.reset(token)


def in_narrowed_language(articles, via=""):
    return in_language(articles, _narrowed.get(), via)


def narrowed_language():
    return _narrowed.get()
