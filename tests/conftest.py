"""Hypothesis profiles: `ci` (default, fast) and `thorough` (HYPOTHESIS_PROFILE=thorough, for deep searches).

The on-disk rulebook cache (docs/cache.md) points at a folder of the test session's own, set here before
any test loads a rulebook and inherited by the commands the tests start: the suite never writes to, nor
reads from, the user's real cache. ``PARTYRULES_NO_CACHE=1`` runs the whole suite without it.
"""

import os
import shutil
import tempfile

from hypothesis import HealthCheck, settings

SESSION_CACHE = tempfile.mkdtemp(prefix="partyrules-test-cache-")
os.environ["PARTYRULES_CACHE_DIR"] = SESSION_CACHE

settings.register_profile("ci", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_unconfigure(config):
    shutil.rmtree(SESSION_CACHE, ignore_errors=True)
