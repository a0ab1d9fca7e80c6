"""Front matter as real sites write it, and hostile files, read by articles.seeds (no database)."""

import datetime as dt
from pathlib import Path

import pytest

from articles.models import Status
from articles.seed_fields import slug_from_title
from articles.seeds import SeedError, parse_seed, read_seed

UTC = dt.UTC


def seed_of(text, name="post.md", time_zone="UTC"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_seed(raw, path=Path(name), digest="x", time_zone=time_zone)


def test_yaml_with_bom_crlf_and_leading_blank_line():
    text = "\ufeff\r\n---\r\ntitle: Hello\r\ndate: 2024-05-06\r\n---\r\nBody line\r\n"
    seed = seed_of(text)
    assert seed.title == "Hello"
    assert seed.published == dt.datetime(2024, 5, 6, tzinfo=UTC)
    # The body is kept exactly, and the raw front matter with it: together they are the file.
    assert seed.body == "Body line\r\n"
    assert seed.front_matter_raw + seed.body == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Line numbers are counted from the top of the file, blank lines before the front matter too.
        ("\n---\ntitle: ok\nbad: [unclosed\n---\nx", r"^front matter is not valid YAML: .* \(line 5\)$"),
        (
            "\r\n\n+++\r\ntitle = 'x'\r\ndate = \r\n+++\r\nx",
            r"^front matter is not valid TOML: .*\(at line 5, column 8\)$",
        ),
        ('\n\n{\n  "title": "x",\n}\nBody', r"^front matter is not valid JSON: .* \(line 5\)$"),
        ("\n---\ntitle: T\nbase: &a [1]\n---\nx", r"^front matter uses YAML anchors or aliases \(line 4\)"),
        # Front matter only a template engine can read.
        (
            "---js\n{ title: 'x' }\n---\nbody",
            r"it opens with '---js': js front matter needs its own template",
        ),
        (
            "+++\ntitle = {{ .Name }}\n+++\n",
            r"^front matter is not valid TOML: .*; it looks like a template, not an",
        ),
        (
            "---\ntitle: {{ .Name }}\n---\n",
            r"^front matter is not valid YAML: .*; it looks like a template, not an",
        ),
    ],
)
def test_a_refusal_says_why_and_where_in_the_file(text, message):
    with pytest.raises(SeedError, match=message):
        seed_of(text)


def test_body_and_prefix_are_the_file_byte_for_byte_in_every_format():
    for text in (
        "\ufeff\n\n---\r\ntitle: T\r\n---\r\n\r\n\r\nBody\r\n",
        "+++ \ntitle = 'T'\n+++\t\n\n\n## Body\n---\nmore\n",
        '\n{"title": "T"}\r\n\r\nBody {x}\n}\n',
    ):
        seed = seed_of(text)
        assert seed.front_matter_raw + seed.body == text
        assert seed.body.lstrip("\r\n").startswith(("Body", "## Body"))
    # Blank lines after the closing delimiter belong to the body (kept as written), CRLF unsplit.
    assert seed_of("---\r\ntitle: T\r\n---\r\n\r\n\r\nBody").body == "\r\n\r\nBody"


def test_toml_front_matter_with_stdlib_tomllib():
    seed = seed_of('+++\ntitle = "Toml post"\ndate = 2019-09-25\ntags = ["a", "b",]\n+++\nBody')
    assert seed.title == "Toml post"
    assert seed.published == dt.datetime(2019, 9, 25, tzinfo=UTC)
    assert seed.tags == [("a", "a"), ("b", "b")]


def test_json_front_matter():
    seed = seed_of('{\n  "title": "Json post",\n  "date": "2024-01-02T03:04:05Z"\n}\nBody')
    assert seed.title == "Json post"
    assert seed.published == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert seed.body == "Body"


def test_aliases_and_unknown_keys_are_kept():
    seed = seed_of(
        "---\ntitle: T\npubDate: Jun 19 2024\nlastmod: 2024-07-01\ndescription: D\n"
        "cover_image: https://img.example/c.png\nlang: pt_BR\nweight: 3\n---\nx"
    )
    assert seed.published == dt.datetime(2024, 6, 19, tzinfo=UTC)
    assert seed.updated == dt.datetime(2024, 7, 1, tzinfo=UTC)
    assert seed.excerpt == "D"
    assert seed.image_url == "https://img.example/c.png"
    assert seed.locale == "pt-BR"
    # Image keys stay too: a local image path is not imported yet, so nothing of it is lost.
    assert seed.extra == {"weight": 3, "cover_image": "https://img.example/c.png"}


def test_author_forms():
    assert (
        seed_of("---\ntitle: T\nauthor: {name: Ann, url: 'https://ann.example'}\n---\n").author_url
        == "https://ann.example"
    )
    listed = seed_of("---\ntitle: T\nauthor: [Ann, Bob]\n---\n")
    assert listed.author_name == "Ann"
    assert [a["name"] for a in listed.extra["authors"]] == ["Ann", "Bob"]


def test_slugs_are_transliterated_or_keep_their_script():
    assert slug_from_title("Đường phố Hà Nội") == "duong-pho-ha-noi"
    assert slug_from_title("Größe") == "grosse"
    assert slug_from_title("[中文] 《长恨歌》") == "中文-长恨歌"


def test_yaml_alias_bomb_is_refused_before_it_is_expanded():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]")
    # Refused at the first anchor, by the scanner: the 9**9-item document is never built.
    with pytest.raises(SeedError, match=r"anchors or aliases \(line 3\)"):
        seed_of("---\ntitle: bomb\n" + "\n".join(lines) + "\n---\nx")


def test_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.md"
    path.write_text("---\ntitle: Big\n---\n" + "x" * 2000)
    with pytest.raises(SeedError, match="over the limit of 1,000"):
        read_seed(path, max_bytes=1000, time_zone="UTC")


def test_python_object_tags_are_not_executed():
    with pytest.raises(SeedError, match="not valid YAML"):
        seed_of("---\ntitle: !!python/object/apply:os.system ['touch /tmp/pwned']\n---\n")
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("tags: [Python, Django]", [("python", "Python"), ("django", "Django")]),
        (
            "tags: 'javascript, webdev, beginners'",
            [("javascript", "javascript"), ("webdev", "webdev"), ("beginners", "beginners")],
        ),
        ("tags: jekyll update", [("jekyll", "jekyll"), ("update", "update")]),
        ("categories: [Misc]\ntags: [misc, Größe]", [("misc", "misc"), ("grosse", "Größe")]),
        ("category: release", [("release", "release")]),
        ("tags: []", []),
    ],
)
def test_tag_forms(front, expected):
    assert seed_of(f"---\ntitle: T\n{front}\n---\n").tags == expected


def test_tags_must_be_names():
    with pytest.raises(SeedError, match="tags: expected a list of names or a string, found a mapping"):
        seed_of("---\ntitle: T\ntags: {a: 1}\n---\n")


def test_uuid_expires_and_aliases():
    seed = seed_of(
        "---\ntitle: T\nuuid: 1b4e28ba-2fa1-11d2-883f-0016d3cca427\nexpiryDate: 2030-01-01\n"
        "aliases: [/old/one/, 'https://old.example/two']\nredirect_from: /three\n---\n"
    )
    assert str(seed.uuid) == "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    assert seed.expires == dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert seed.aliases == ["/old/one/", "https://old.example/two", "/three"]
    with pytest.raises(SeedError, match="uuid: 'nope' is not a UUID"):
        seed_of("---\ntitle: T\nuuid: nope\n---\n")


BLANK = '"   \\t  "'  # YAML for spaces and a tab, nothing else


@pytest.mark.parametrize(
    ("name", "front", "field", "expected"),
    [
        ("post.md", "title: %s", None, "title is missing"),
        ("2019-03-04-hello-world.md", "title: %s", "title", "Hello world"),
        ("post.md", "title: T\nslug: %s", "slug", "t"),
        ("post.md", "title: T\nauthor: %s", "author_name", ""),
        ("post.md", "title: T\nauthor: %s\nauthors: [Ann]", "author_name", "Ann"),
        ("post.md", "title: T\nauthor: {name: %s}", None, "author: name is missing"),
        ("post.md", "title: T\nauthor: {name: %s, title: Ann}", "author_name", "Ann"),
        ("post.md", "title: T\nauthor: [Ann, %s]", None, "author: name is missing"),
        ("post.md", "title: T\nauthors: [{name: %s}]", None, "authors: name is missing"),
        ("post.md", "title: T\ntags: [Python, %s]", "tags", [("python", "Python")]),
        ("post.md", "title: T\ncategories: %s\ntags: [a]", "tags", [("a", "a")]),
        ("post.md", "title: T\nstatus: %s", "status", Status.PUBLISHED),
        (
            "post.md",
            "title: T\ndate: %s\npubDate: Jun 19 2024",
            "published",
            dt.datetime(2024, 6, 19, tzinfo=UTC),
        ),
        ("post.md", "title: T\nexcerpt: %s\ndescription: D", "excerpt", "D"),
        ("post.md", "title: T\nlang: %s\nlanguage: pt_BR", "locale", "pt-BR"),
        ("post.md", "title: T\nuuid: %s", "uuid", None),
        ("post.md", "title: T\nsource: cms\nsource_id: %s", "source_id", ""),
        (
            "post.md",
            "title: T\nimage: %s\ncover: https://i.example/c.png",
            "image_url",
            "https://i.example/c.png",
        ),
        ("post.md", "title: T\ncanonical_url: %s", "warnings", []),
        ("post.md", "title: T\naliases: [%s]", "aliases", []),
    ],
)
def test_a_blank_value_reads_as_an_empty_one(name, front, field, expected):
    """Spaces and tabs are no value: each field reads them as it reads "" (one case per field)."""
    for value in ('""', BLANK):
        text = f"---\n{front % value}\n---\nBody\n"
        if field is None:
            with pytest.raises(SeedError) as refused:
                seed_of(text, name)
            assert str(refused.value) == expected, value
        else:
            assert getattr(seed_of(text, name), field) == expected, value


@pytest.mark.parametrize(
    "author",
    [
        "'[ ](https://ann.example)'",
        "'<a href=\"https://ann.example\">  </a>'",
        "[Ann, '[\t](https://b.example)']",
    ],
)
def test_an_author_link_without_text_has_no_name(author):
    with pytest.raises(SeedError, match=r"^author: name is missing \(the link has no text\)$"):
        seed_of(f"---\ntitle: T\nauthor: {author}\n---\n")
