"""Front matter as files hold it: split from the body, and read as YAML, TOML or JSON.

Knows nothing of articles. Every refusal is a FrontMatterError whose text is the user's line.

Detection and splitting go through python-frontmatter's handlers, subclassed where we must differ:
- Its `frontmatter.parse()` / `load()` strip the whole text, and its boundaries (`^-{3,}\\s*$`) eat
  the blank lines after a delimiter and split a CRLF in two, so the body would not survive byte for
  byte. Our boundaries end at the delimiter line's own line break, and the text is never stripped:
  `prefix + body` is the file's text exactly (BOM, blank lines and CRLF kept).
- Exactly three dashes (or pluses) open and close, as Jekyll and Hugo require; a `-----` line is a
  Markdown rule, not a delimiter.
- YAML is loaded safely with no anchors or aliases (no alias bombs), and timestamps stay text, so
  one date helper reads them all and names the field when a date is impossible.
- Its TOMLHandler exists only when the unmaintained `toml` package is installed; ours has the same
  boundary and reads with the standard library's tomllib.
- Its JSONHandler needs `{` and `}` alone on their lines; ours reads one JSON object wherever it
  ends, so one-line objects work and a nested `}` at the start of a line cannot cut it short.
Error line numbers are counted from the top of the file, not of the front matter.
"""

import json
import re
import tomllib

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

# What may come before the opening delimiter: a BOM and blank lines, as Hugo and Jekyll allow.
_LEADING = "\ufeff \t\r\n"


class FrontMatterError(ValueError):
    pass


class _FrontMatterLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """Safe YAML that keeps timestamps as text (PyYAML would raise a bare ValueError mid-load on an
    impossible date, with no field name)."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Delimited(BaseHandler):
    """A front matter between two delimiter lines; the boundary ends after the line's own break."""

    KIND = ""

    def split(self, text, *, first_line=1):
        try:
            _, front, body = self.FM_BOUNDARY.split(text, 2)
        except ValueError:
            raise FrontMatterError(f"front matter has no closing {self.END_DELIMITER} line") from None
        return front, body

    def with_keys(self, text, values):
        """`text` (from the opening delimiter on) with `values` as new top-level keys on the lines
        right after the delimiter (so in TOML they come before any [table]), in its line breaks."""
        opening = self.FM_BOUNDARY.match(text).end()
        newline = "\r\n" if text[:opening].endswith("\r\n") else "\n"
        lines = "".join(self.key_line(key, value) + newline for key, value in values.items())
        return text[:opening] + lines + text[opening:]

    def key_line(self, key, value):
        """One top-level `key` holding the text `value`, as this format writes it."""
        raise NotImplementedError


class _YAML(_Delimited, YAMLHandler):
    FM_BOUNDARY = re.compile(r"^---[ \t\r]*$\n?", re.MULTILINE)
    KIND = "YAML"

    def load(self, fm, *, first_line=1):
        """`first_line`: the file's line number of the front matter's first line."""
        try:
            for token in yaml.scan(fm, Loader=_FrontMatterLoader):
                if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                    line = token.start_mark.line + first_line
                    raise FrontMatterError(
                        f"front matter uses YAML anchors or aliases (line {line}); write the values out"
                    )
            meta = yaml.load(fm, Loader=_FrontMatterLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + first_line})" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise FrontMatterError(
                f"front matter is not valid YAML: {problem}{_template_hint(fm)}{where}"
            ) from exc
        return meta

    def key_line(self, key, value):
        return self.export({key: value}, width=10_000)


class _TOML(_Delimited):
    FM_BOUNDARY = re.compile(r"^\+\+\+[ \t\r]*$\n?", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"
    KIND = "TOML"

    def load(self, fm, *, first_line=1):
        try:
            return tomllib.loads(fm)
        except tomllib.TOMLDecodeError as exc:
            # tomllib counts lines from the front matter; the user counts them in the file.
            problem = re.sub(r"\(at line (\d+)", lambda m: f"(at line {int(m[1]) + first_line - 1}", str(exc))
            raise FrontMatterError(f"front matter is not valid TOML: {problem}{_template_hint(fm)}") from exc

    def key_line(self, key, value):
        # A TOML datetime, not a string, when the value is one (as Zola and Hugo write dates).
        return f"{key} = {value if _is_toml_datetime(value) else json.dumps(value)}"


class _JSON(JSONHandler):
    KIND = "JSON"

    def detect(self, text):
        return text.startswith("{")

    def split(self, text, *, first_line=1):
        """The object as written, then the body after the line breaks that follow it."""
        try:
            _, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as exc:
            line = exc.lineno + first_line - 1
            raise FrontMatterError(f"front matter is not valid JSON: {exc.msg} (line {line})") from exc
        return text[:end], text[end:].lstrip("\r\n")

    def load(self, fm, *, first_line=1):
        return json.loads(fm)

    def with_keys(self, text, values):
        """`text` (from its opening brace on) with `values` as the object's first members."""
        members = ", ".join(f"{json.dumps(key)}: {json.dumps(value)}" for key, value in values.items())
        empty = text[1:].lstrip().startswith("}")
        return "{" + members + ("" if empty else ", ") + text[1:]


_YAML_HANDLER = _YAML()
_HANDLERS = (_YAML_HANDLER, _TOML(), _JSON())


def split_front_matter(text):
    """Return (mapping, body, prefix): `prefix + body == text` exactly. YAML (---), TOML (+++) or a
    leading JSON object; blank lines before the opening delimiter are allowed, as Hugo and Jekyll
    allow them."""
    start = len(text) - len(text.lstrip(_LEADING))
    rest = text[start:]
    handler = _handler_for(rest)
    opening_line = text.count("\n", 0, start) + 1
    front, body = handler.split(rest, first_line=opening_line)
    # JSON's front matter starts on the opening line; YAML's and TOML's on the line after it.
    meta = handler.load(front, first_line=opening_line + (handler.KIND != "JSON"))
    return _mapping(meta, handler.KIND), body, text[: len(text) - len(body)]


def add_keys(prefix, values):
    """`prefix` (a file's text up to its body) with `values` ({key: text}) written as new top-level
    keys right after the opening delimiter, in the file's own format; every other byte stays as it
    was. The keys must not be in the front matter yet (TOML refuses a key twice)."""
    start = len(prefix) - len(prefix.lstrip(_LEADING))
    return prefix[:start] + _handler_for(prefix[start:]).with_keys(prefix[start:], values)


def yaml_front_matter(meta):
    """`meta` as a YAML front matter, delimiters included, through the YAML handler's export: keys
    in the mapping's order, and text (dates included: our loader keeps them as text) written back as
    the same text. Not the handler's format(): it puts a blank line after the closing delimiter
    and strips the body."""
    return f"---\n{_YAML_HANDLER.export(meta, sort_keys=False, width=10_000)}\n---\n"


def _handler_for(text):
    handler = frontmatter.detect_format(text, _HANDLERS)
    if handler is not None:
        return handler
    first_line = text.split("\n", 1)[0].rstrip()
    if first_line.startswith(("---", "+++")):
        kind = first_line[3:].strip() or first_line
        raise FrontMatterError(
            f"front matter is not YAML, TOML or JSON (it opens with {first_line!r}: "
            f"{kind} front matter needs its own template engine)"
        )
    raise FrontMatterError("no front matter (the file must start with ---, +++ or a JSON object)")


def _template_hint(front):
    return "; it looks like a template, not an article" if "{{" in front else ""


def _is_toml_datetime(value):
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)", value))


def _mapping(meta, kind):
    if meta is None:
        raise FrontMatterError("front matter is empty: title is missing")
    if not isinstance(meta, dict):
        raise FrontMatterError(
            f"front matter is not a mapping of keys to values ({kind} {type(meta).__name__})"
        )
    return {str(key): value for key, value in meta.items()}
