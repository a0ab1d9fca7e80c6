"""The Content API's query parameters, read against allowlists: what to show (fields, include,
formats), which page (limit, page) and in which order (order). Each refusal is a ParameterError
naming the parameter and what it accepts."""

from dataclasses import dataclass

from .errors import ParameterError
from .representations import ARTICLE_FIELDS, FORMATS

DEFAULT_LIMIT = 15
MAX_LIMIT = 100
# Far past any page with articles, and within the 64-bit integers JSON encoders (orjson) and SQL take.
MAX_PAGE = 1_000_000_000
INCLUDES = ("author", "tags")
# order field -> the model field; every order ends with the primary key, so pages never overlap.
ARTICLE_ORDERS = {"published_at": "published", "updated_at": "updated", "title": "title", "slug": "slug"}
DEFAULT_ARTICLE_ORDER = "published_at desc"
NAMED_ORDERS = {"name": "name", "slug": "slug"}
DEFAULT_NAMED_ORDER = "name asc"


def names_pattern(allowed):
    """The regular expression of a comma-separated subset of `allowed`, for the OpenAPI schema."""
    one = "|".join(allowed)
    return f"^({one})(,({one}))*$"


def order_pattern(allowed):
    one = f"({'|'.join(allowed)})( (asc|desc))?"
    return f"^{one}(,{one})*$"


def names(parameter, text, allowed, default):
    """A comma-separated subset of `allowed`, in the order given (`default` when absent)."""
    if text is None:
        return default
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in allowed]
    if unknown or not chosen:
        raise ParameterError(
            parameter,
            f"{parameter}: {', '.join(unknown) or 'nothing'} is not one of {', '.join(allowed)}.",
        )
    return tuple(dict.fromkeys(chosen))


@dataclass(frozen=True)
class Shape:
    """What an article response shows."""

    fields: tuple
    formats: tuple
    include: tuple


def article_shape(fields, formats, include, *, default_formats=("html",)):
    return Shape(
        fields=names("fields", fields, ARTICLE_FIELDS, ARTICLE_FIELDS),
        formats=names("formats", formats, FORMATS, default_formats),
        include=names("include", include, INCLUDES, ()),
    )


def positive(parameter, text, default, maximum=None):
    if text is None:
        return default
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1 or (maximum is not None and number > maximum):
        within = f"from 1 to {maximum}" if maximum else "1 or more"
        raise ParameterError(parameter, f"{parameter} must be a whole number {within}, not {text!r}.")
    return number


def order(text, allowed, default):
    """`field [asc|desc]`, comma-separated, as ORM order_by() terms ending with the primary key."""
    terms = []
    for part in (text if text is not None else default).split(","):
        words = part.split()
        if not words or len(words) > 2 or words[0] not in allowed or words[1:] not in ([], ["asc"], ["desc"]):
            raise ParameterError(
                "order",
                f"order: {part.strip()!r} is not 'field asc' or 'field desc' with a field among "
                f"{', '.join(allowed)}.",
            )
        descending = words[1:] == ["desc"]
        terms.append(("-" if descending else "") + allowed[words[0]])
    last = "-pk" if terms[0].startswith("-") else "pk"
    return [*dict.fromkeys(terms), last]
