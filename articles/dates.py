"""One helper for every date a front-matter file can hold (README: "Time zones").

Policy: a bare date is midnight in TIME_ZONE; a datetime without an offset is read in TIME_ZONE and
flagged so the importer can warn; an offset is kept. Values arrive as strings (our YAML loader keeps
timestamps as text so impossible dates get a field name) or as date/datetime objects (TOML).
"""

import datetime as dt
import re
import zoneinfo

_SPACED_OFFSET = re.compile(
    r"^(?P<stamp>\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2}|[+-]\d{1,2}|UTC|GMT)?$",
    re.IGNORECASE,
)
_TEXT_FORMATS = (
    "%b %d %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)


class NotADate(ValueError):
    pass


def to_datetime(value, tz_name):
    """Return (aware datetime, was_naive) for `value`, or raise NotADate.

    `was_naive` is True for a time of day given without an offset: the caller warns, because
    Hugo and Jekyll readers of the same file may place it in another zone.
    """
    tz = zoneinfo.ZoneInfo(tz_name)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=tz), True
        return value, False
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tzinfo=tz), False
    if not isinstance(value, str) or not value.strip():
        raise NotADate("not a date")
    text = value.strip()
    parsed = _parse_text(text)
    if parsed is None:
        raise NotADate("not a date")
    if isinstance(parsed, dt.datetime):
        return to_datetime(parsed, tz_name)
    return dt.datetime.combine(parsed, dt.time(), tzinfo=tz), False


def _parse_text(text):
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise NotADate(f"impossible date ({exc})") from exc
    match = _SPACED_OFFSET.match(text)
    if match:
        stamp, offset = match["stamp"].replace(" ", "T"), (match["offset"] or "").upper()
        if offset in {"Z", "UTC", "GMT"}:
            offset = "+00:00"
        elif offset and ":" not in offset:
            sign, digits = offset[0], offset[1:].rjust(2, "0")
            offset = f"{sign}{digits[:2]}:{digits[2:] or '00'}"
        if re.match(r"\d{4}-\d{2}-\d{2}T\d:", stamp):
            stamp = stamp[:11] + "0" + stamp[11:]
        try:
            return dt.datetime.fromisoformat(stamp + offset)
        except ValueError as exc:
            raise NotADate(f"impossible date ({exc})") from exc
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in _TEXT_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed if "%H" in fmt else parsed.date()
    return None


def as_text(value):
    """A JSON-safe form of a front-matter value (dates become ISO strings) for `Article.extra`."""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): as_text(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_text(item) for item in value]
    return value
