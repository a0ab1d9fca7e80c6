"""CloudflareBackend against a fake of Cloudflare's purge API on loopback: by cache tag (the keys
pages carry in Cache-Tag) or by full address, 30 a call, and errors that say what the API said."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from edge.backends import CloudflareBackend, EdgePurgeError

from .conftest import Answer

OK = Answer(
    200, {"Content-Type": "application/json"}, b'{"success": true, "errors": [], "result": {"id": "z"}}'
)


def cloudflare(server, **options):
    return CloudflareBackend(
        "cloudflare",
        {"API_TOKEN": "token-1", "ZONE_ID": "zone-9", "API_URL": server.url + "/client/v4", **options},
    )


def sent(server):
    return [json.loads(seen.body) for seen in server.requests]


def test_purges_by_tag_with_the_token_on_the_zone(fake_server, make_change):
    server = fake_server(lambda seen: OK)
    cloudflare(server).purge(make_change(keys={"article-3", "list"}, paths={"/blog/x"}))
    (seen,) = server.requests
    assert (seen.method, seen.path) == ("POST", "/client/v4/zones/zone-9/purge_cache")
    assert seen.headers["authorization"] == "Bearer token-1"
    assert json.loads(seen.body) == {"tags": ["article-3", "list"]}


def test_at_most_thirty_tags_a_call(fake_server, make_change):
    server = fake_server(lambda seen: OK)
    keys = {f"tag-{n}" for n in range(65)}
    cloudflare(server).purge(make_change(keys=keys))
    assert [len(body["tags"]) for body in sent(server)] == [30, 30, 5]
    assert {tag for body in sent(server) for tag in body["tags"]} == keys


def test_purges_by_full_address(fake_server, make_change, settings):
    settings.SITE_DOMAIN = "news.example.org"
    server = fake_server(lambda seen: OK)
    paths = {f"/blog/a-{n}" for n in range(31)} | {"/blog/"}
    cloudflare(server, PURGE_BY="urls").purge(make_change(keys={"list"}, paths=paths))
    files = [url for body in sent(server) for url in body["files"]]
    assert [len(body["files"]) for body in sent(server)] == [30, 2]
    assert sorted(files) == sorted(f"https://news.example.org{path}" for path in paths)


def test_site_wide_change_purges_everything_by_address(fake_server, make_change):
    server = fake_server(lambda seen: OK)
    cloudflare(server, PURGE_BY="urls").purge(make_change(keys={"site"}, paths={"/blog/"}))
    assert sent(server) == [{"purge_everything": True}]


def test_refusal_carries_cloudflares_errors(fake_server, make_change):
    refusal = b'{"success": false, "errors": [{"code": 10000, "message": "Authentication error"}]}'
    server = fake_server(lambda seen: Answer(403, {"Content-Type": "application/json"}, refusal))
    with pytest.raises(
        EdgePurgeError, match=r"^cloudflare: POST .*/purge_cache answered 403 .*Authentication error"
    ):
        cloudflare(server).purge(make_change(keys={"list"}))


def test_success_false_is_a_failure(fake_server, make_change):
    server = fake_server(
        lambda seen: Answer(200, {}, b'{"success": false, "errors": [{"message": "rate limited"}]}')
    )
    with pytest.raises(EdgePurgeError, match=r"success=false.*rate limited"):
        cloudflare(server).purge(make_change(keys={"list"}))


def test_purge_by_must_be_tags_or_urls():
    with pytest.raises(ImproperlyConfigured, match='PURGE_BY"\\] must be "tags" or "urls"'):
        CloudflareBackend("cloudflare", {"API_TOKEN": "t", "ZONE_ID": "z", "PURGE_BY": "files"})
