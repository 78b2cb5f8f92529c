"""Test configuration shared by tests, doctests in src/ and the Markdown docs."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# "ci": derandomized so a run can never flake; the same examples every time.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
