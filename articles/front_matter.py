"""Front matter as files hold it: split from the body, and read as YAML, TOML or JSON.

Knows nothing of articles. Safe YAML only (no object tags, no anchors or aliases), timestamps kept as
text; TOML through the standard library's tomllib (python-frontmatter's TOML handler needs the
unmaintained `toml` package). Every refusal is a FrontMatterError whose text is the user's line.
"""

import json
import re
import tomllib

import yaml


class FrontMatterError(ValueError):
    pass


class _FrontMatterLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """Safe YAML that keeps timestamps as text, so one date helper reads them all and names the
    field when a date is impossible (PyYAML would raise a bare ValueError mid-load)."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text):
    """Return (mapping, body, prefix): `prefix + body == text` exactly (BOM, blank lines and CRLF
    kept, for a byte-identical export). YAML (---), TOML (+++) or a leading JSON object; blank lines
    before the opening delimiter are allowed, as Hugo and Jekyll allow them."""
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    line_end = text.find("\n", start)
    first_line = text[start : line_end if line_end != -1 else len(text)].rstrip()
    first_number = text.count("\n", 0, start) + 2  # the file's line number of the first key
    if first_line in ("---", "+++"):
        closing = None
        if line_end != -1:
            closing = re.compile(rf"^{re.escape(first_line)}[ \t]*\r?$", re.MULTILINE).search(
                text, line_end + 1
            )
        if closing is None:
            raise FrontMatterError(f"front matter has no closing {first_line} line")
        front = text[line_end + 1 : closing.start()]
        body_start = closing.end() + (1 if text.startswith("\n", closing.end()) else 0)
        load = _load_yaml if first_line == "---" else _load_toml
        return load(front, first_number), text[body_start:], text[:body_start]
    if first_line.startswith("---") or first_line.startswith("+++"):
        kind = first_line[3:].strip() or first_line
        raise FrontMatterError(
            f"front matter is not YAML, TOML or JSON (it opens with {first_line!r}: "
            f"{kind} front matter needs its own template engine)"
        )
    if text.startswith("{", start):
        try:
            meta, end = json.JSONDecoder().raw_decode(text, start)
        except json.JSONDecodeError as exc:
            raise FrontMatterError(f"front matter is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
        body_start = end + len(text[end:]) - len(text[end:].lstrip("\r\n"))
        return _mapping(meta, "JSON"), text[body_start:], text[:body_start]
    raise FrontMatterError("no front matter (the file must start with ---, +++ or a JSON object)")


def _load_yaml(front, first_number):
    try:
        for token in yaml.scan(front, Loader=_FrontMatterLoader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                line = token.start_mark.line + first_number
                raise FrontMatterError(
                    f"front matter uses YAML anchors or aliases (line {line}); write the values out"
                )
        meta = yaml.load(front, Loader=_FrontMatterLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + first_number})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "{{" in front:
            problem += "; it looks like a template, not an article"
        raise FrontMatterError(f"front matter is not valid YAML: {problem}{where}") from exc
    return _mapping(meta, "YAML")


def _load_toml(front, first_number):
    try:
        meta = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        # tomllib counts lines from the front matter; the user counts them in the file.
        problem = re.sub(r"\(at line (\d+)", lambda m: f"(at line {int(m[1]) + first_number - 1}", str(exc))
        if "{{" in front:
            problem += "; it looks like a template, not an article"
        raise FrontMatterError(f"front matter is not valid TOML: {problem}") from exc
    return _mapping(meta, "TOML")


def _mapping(meta, kind):
    if meta is None:
        raise FrontMatterError("front matter is empty: title is missing")
    if not isinstance(meta, dict):
        raise FrontMatterError(
            f"front matter is not a mapping of keys to values ({kind} {type(meta).__name__})"
        )
    return {str(key): value for key, value in meta.items()}
