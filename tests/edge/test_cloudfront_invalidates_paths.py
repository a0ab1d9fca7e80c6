"""CloudFrontBackend against moto's CloudFront on loopback: one invalidation of the Change's paths,
whose caller reference is the Change's id, so CloudFront treats a retried Change as the same one."""

import boto3
import pytest

from edge.backends import CloudFrontBackend, EdgePurgeError


def invalidations(endpoint, distribution):
    client = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1")
    listed = client.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
    batches = [client.get_invalidation(DistributionId=distribution, Id=item["Id"]) for item in listed]
    return [batch["Invalidation"]["InvalidationBatch"] for batch in batches]


def backend(endpoint, distribution):
    return CloudFrontBackend("cloudfront", {"DISTRIBUTION_ID": distribution, "ENDPOINT_URL": endpoint})


def test_invalidates_the_changes_paths(cloudfront, make_change):
    endpoint, distribution = cloudfront
    change = make_change(keys={"article-1", "list"}, paths={"/blog/new", "/blog/old", "/blog/"})
    backend(endpoint, distribution).purge(change)
    (batch,) = invalidations(endpoint, distribution)
    assert sorted(batch["Paths"]["Items"]) == ["/blog/", "/blog/new", "/blog/old"]
    assert batch["CallerReference"] == f"{change.id}-0"


def test_a_retried_change_reuses_its_caller_reference(cloudfront, make_change):
    endpoint, distribution = cloudfront
    change = make_change(paths={"/blog/a"})
    backend(endpoint, distribution).purge(change)
    backend(endpoint, distribution).purge(change)
    assert {batch["CallerReference"] for batch in invalidations(endpoint, distribution)} == {f"{change.id}-0"}


def test_site_wide_change_invalidates_everything(cloudfront, make_change):
    endpoint, distribution = cloudfront
    backend(endpoint, distribution).purge(make_change(keys={"site"}, paths={"/blog/"}))
    assert [batch["Paths"]["Items"] for batch in invalidations(endpoint, distribution)] == [["/*"]]


def test_many_paths_in_batches(cloudfront, make_change, monkeypatch):
    endpoint, distribution = cloudfront
    monkeypatch.setattr(CloudFrontBackend, "PER_CALL", 2)
    backend(endpoint, distribution).purge(make_change(paths={"/a", "/b", "/c"}))
    batches = invalidations(endpoint, distribution)
    assert sorted(path for batch in batches for path in batch["Paths"]["Items"]) == ["/a", "/b", "/c"]
    assert len({batch["CallerReference"] for batch in batches}) == 2


def test_unknown_distribution_is_an_error_naming_it(cloudfront, make_change):
    endpoint, _ = cloudfront
    with pytest.raises(
        EdgePurgeError, match=r"^cloudfront: invalidation on distribution NOPE failed: .*NoSuchDistribution"
    ):
        backend(endpoint, "NOPE").purge(make_change(paths={"/blog/"}))
