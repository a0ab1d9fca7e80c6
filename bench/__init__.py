"""Benchmarks (bench/README.md): not part of the site, not run by `make test`."""
