"""The benchmarks are scripts, not tests: pytest never collects them, not even when a path under benchmarks/ is
given on the command line (the locustfiles would import locust, which monkey-patches the standard library with
gevent, and read BENCH_* variables that only their drivers set). Speed is measured by running them
(benchmarks/README.md); `-p no:locust` in pyproject.toml keeps locust's own pytest plugin out of the test runs."""

import pytest

collect_ignore_glob = ["*.py"]


class _NotATest(pytest.Module):
    def collect(self):
        return []


def pytest_pycollect_makemodule(module_path, parent):
    return _NotATest.from_parent(parent, path=module_path)
