"""The `filter` parameter of /api/v1/articles/: a small language like Ghost's, read by a tokenizer and
turned into a Q over an allowlist of fields. Nothing the client sends reaches SQL but as a parameter
of a lookup named here; there is no eval and no raw SQL.

    filter := group ("," group)*            "," is or
    group  := term ("+" term)*              "+" is and (binds tighter); a space too, since an
                                            unencoded "+" in a query string arrives as one
    term   := field ":" [op] value
    op     := "-" (not) | ">" | ">=" | "<" | "<="
    value  := word | "'" anything but a quote "'" | "[" word ("," word)* "]" (any of)

Fields: tag, author, slug, locale (words and lists; "-" for not), published, updated (dates: every op
but lists). A date alone (2024-01-01) stands for that whole day in TIME_ZONE: `published:2024-01-01`
is that day, `>` after it, `>=` from its start, `<` before it, `<=` until its end; a time needs
quotes when it has an offset ('2024-01-01T10:00:00+02:00'), as a bare "+" means and."""

import re
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.models import Article

from .errors import ParameterError

PARAMETER = "filter"
# At most this many terms: a filter is a few conditions, and each one is a lookup in the query.
MAX_TERMS = 20
MAX_LIST = 50

_TERM = re.compile(r"(?P<field>[a-z_]+):(?P<op>>=|<=|>|<|-)?(?P<value>'[^']*'|\[[^\]]*\]|[^+,\s\[\]']+)")
_SEPARATOR = re.compile(r"\s*(?P<sep>[+,\s])\s*")
_WORD = re.compile(r"^[-\w.]+$")


def _tag(values):
    links = Article.tags.through.objects.filter(tag__slug__in=values).values("article_id")
    return Q(pk__in=links)


# field -> how a list of words becomes a Q (text fields), or the model field (date fields).
TEXT_FIELDS = {
    "tag": _tag,
    "author": lambda values: Q(author__slug__in=values),
    "slug": lambda values: Q(slug__in=values),
    "locale": lambda values: Q(locale__in=values),
}
DATE_FIELDS = {"published": "published", "updated": "updated"}
FIELDS = (*TEXT_FIELDS, *DATE_FIELDS)


def parse(text):
    """The Q that `text` means, or raises ParameterError saying where and why it is refused."""
    text = text.strip()
    if not text:
        raise ParameterError(PARAMETER, "filter is empty; write e.g. tag:python+author:jane.")
    groups, terms, position, count = [], [], 0, 0
    while True:
        match = _TERM.match(text, position)
        if not match:
            raise ParameterError(
                PARAMETER,
                f"filter: expected field:value at character {position + 1} ({text[position:][:20]!r}); "
                f"fields are {', '.join(FIELDS)}.",
            )
        count += 1
        if count > MAX_TERMS:
            raise ParameterError(PARAMETER, f"filter has more than {MAX_TERMS} terms.")
        terms.append(_term(match["field"], match["op"] or "", match["value"]))
        position = match.end()
        if position == len(text):
            break
        separator = _SEPARATOR.match(text, position)
        if not separator:
            raise ParameterError(
                PARAMETER, f"filter: expected + or , at character {position + 1} ({text[position:][:20]!r})."
            )
        if separator["sep"] == ",":
            groups.append(terms)
            terms = []
        position = separator.end()
    groups.append(terms)
    result = Q()
    for group in groups:
        both = Q()
        for term in group:
            both &= term
        result |= both
    return result


def _term(field, op, value):
    if field in TEXT_FIELDS:
        if op not in ("", "-"):
            raise ParameterError(PARAMETER, f"filter: {field} takes a value or -value, not {op}.")
        condition = TEXT_FIELDS[field](_words(field, value))
        return ~condition if op == "-" else condition
    if field in DATE_FIELDS:
        return _date_term(DATE_FIELDS[field], field, op, value)
    raise ParameterError(PARAMETER, f"filter: unknown field {field!r}; fields are {', '.join(FIELDS)}.")


def _words(field, value):
    words = [word.strip() for word in value[1:-1].split(",")] if value.startswith("[") else [value.strip("'")]
    if not words or len(words) > MAX_LIST or not all(_WORD.match(word) for word in words):
        raise ParameterError(
            PARAMETER,
            f"filter: {field} takes slugs (letters, digits, -, _ and .), or up to {MAX_LIST} in [a,b].",
        )
    return words


def _date_term(name, field, op, value):
    """A date is its whole day in TIME_ZONE; a datetime (naive: in TIME_ZONE) is that moment."""
    text = value.strip("'")
    try:
        moment = parse_datetime(text) if "T" in text or " " in text else None
        day = None if moment else parse_date(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:  # well formed, but no such day or time (2024-02-31)
        moment = day = None
    if moment is None and day is None:
        raise ParameterError(
            PARAMETER,
            f"filter: {field} takes a date (2024-01-01) or a quoted time ('2024-01-01T10:00:00+02:00'), "
            f"not {value!r}.",
        )
    if moment is not None:
        start = end = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        bounds = {"": Q(**{name: start}), "-": ~Q(**{name: start})}
    else:
        start = timezone.make_aware(datetime.combine(day, time()))
        end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))
        bounds = {
            "": Q(**{f"{name}__gte": start, f"{name}__lt": end}),
            "-": ~Q(**{f"{name}__gte": start, f"{name}__lt": end}),
        }
    after = {">": Q(**{f"{name}__gte" if day else f"{name}__gt": end})}
    bounds.update(
        {
            ">": after[">"],
            ">=": Q(**{f"{name}__gte": start}),
            "<": Q(**{f"{name}__lt": start}),
            "<=": Q(**{f"{name}__lt" if day else f"{name}__lte": end}),
        }
    )
    return bounds[op]
