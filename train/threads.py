"""How many CPU threads torch may use while training.

The models here are small: a step is hundreds of small kernels, and a second thread
only pays when it has a core of its own. Measured with bench/train/threads.py on a
2-core machine, per step, two threads against one: with the other core busy (a
second pytest-xdist worker, another run), 39x slower for sort5's model (1064 vs 27
ms), 33x for reverse's, 1.5-1.6x for add5_rev's and mod_add's, because every kernel
waits for a preempted thread; on an idle machine, 1.3-1.8x faster (sort5: 8.8 vs
11.4 ms; add5_rev: 95 vs 168 ms). One thread is at most 1.8x from the best either
way, two threads up to 39x, so the rule is: on CPU, a model below SMALL_MODEL_PARAMS
parameters (every built-in recipe) trains on one thread; larger ones, whose kernels
are big enough to share, keep torch's default. An explicit count (--threads) wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

SMALL_MODEL_PARAMS = 5_000_000


def choose_threads(requested: int | None, n_params: int, device: torch.device) -> int | None:
    """The thread count to set, or None to leave torch's setting alone."""
    if requested is not None:
        return requested
    if device.type == "cpu" and n_params < SMALL_MODEL_PARAMS:
        return 1
    return None


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Use n intra-op threads inside the block (None: unchanged), then restore."""
    before = torch.get_num_threads()
    if n is not None:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
