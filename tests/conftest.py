"""Suite-wide settings.

The models under test are tiny: torch's thread pool costs more than it gives
(and two pytest-xdist workers with two threads each oversubscribe two cores),
so every test process uses one thread.

Hypothesis budgets live here, as profiles, not in the test files: `default`
for a developer's run, `ci` (chosen when the CI environment variable is set,
or by HYPOTHESIS_PROFILE=ci) for reproducible runs that replay no database.
A test sets its own `max_examples` only where its examples cost far more or
far less than most, and says why. No profile has a deadline or the too-slow
health check: on a loaded two-core machine a slow example or a slow draw (a
generated program, a task's inputs) is the machine, not the code.
"""

import os

import torch
from hypothesis import HealthCheck, settings

torch.set_num_threads(1)

settings.register_profile(
    "default",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", settings.get_profile("default"), derandomize=True, database=None, print_blob=True
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)
