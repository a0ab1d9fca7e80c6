"""What an editor or a seed file types is text on every page: it never becomes script."""

from .factories import make_article, make_author
from .html import active_content, json_ld


def test_hostile_fields_in_admin_made_article_are_inert(client, db):
    author = make_author(name="<img src=x onerror=alert(1)>", url="https://a.example")
    make_article(
        slug="evil",
        author=author,
        title='"><script>alert(1)</script>',
        excerpt='" onload="alert(1)',
        body="<script>alert(2)</script>[x](javascript:alert(3))",
        image_url="https://i.example/a.png",
    )
    assert active_content(client.get("/blog/evil").content.decode()) == []
    assert active_content(client.get("/blog/").content.decode()) == []


def test_script_in_title_cannot_break_out_of_json_ld(client, db):
    make_article(slug="hostile", title="Hi </script><script>alert(1)</script> & <!--", excerpt="</SCRIPT>")
    html = client.get("/blog/hostile").content.decode()
    head = html.split("</head>")[0]
    assert head.count("<script") == 1 and head.count("</script>") == 1
    assert json_ld(html)["headline"] == "Hi </script><script>alert(1)</script> & <!--"
