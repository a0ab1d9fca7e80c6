"""The Content API keeps to its own OpenAPI schema (/api/v1/schema): schemathesis generates requests
from it, offline, through the WSGI application, and every answer must be no server error and
conform (status, content type, body, headers) to what the schema says; schema-invalid requests are
refused. Not checked: that every schema-valid request is accepted, since `filter` is a language
whose rules (a date that exists, at most 20 terms) a JSON Schema pattern does not state; the other
parameters' patterns are exact. The schema is OpenAPI 3.1, and the
documentation page renders it from our own templates (no CDN)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .factories import make_article, make_author, tag


@pytest.fixture
def api_schema(db, settings_for_schemathesis, wsgi_requests_keep_the_test_connection):
    author = make_author(name="Jane", slug="jane")
    for number in range(3):
        tag(make_article(slug=f"article-{number}", author=author, body=f"# {number}\n\nText."), "python")
    return schemathesis.openapi.from_wsgi("/api/v1/schema", get_wsgi_application())


@pytest.fixture
def settings_for_schemathesis(settings):
    # schemathesis's WSGI client sends Host: localhost.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]


# Examples an endpoint: enough to meet every parameter's refusals and odd slugs, in a few seconds.
EXAMPLES = 40


@pytest.mark.slow
def test_every_answer_conforms_to_the_schema(api_schema):
    # Hypothesis directly rather than schemathesis's pytest plugin, which this pytest's items refuse.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def conforms(case):
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        conforms()


def test_the_schema_is_openapi_3_1_with_every_endpoint(client, db):
    schema = client.get("/api/v1/schema").json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {
        f"/api/v1/{kind}/{suffix}" for kind in ("articles", "authors", "tags") for suffix in ("", "{slug}/")
    }


def test_the_documentation_page_is_ours_and_loads_nothing_from_elsewhere(client, db):
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200 and "/api/v1/articles/{slug}/" in html and "filter" in html
    assert "<script" not in html and "cdn" not in html.lower()
