"""How many CPU threads torch may use while training.

A second thread only pays when each kernel has enough work to share and a core of
its own to run on. Measured with bench/train/threads.py on a 2-core machine, for
each task's default recipe model, time per step with 2 threads / with 1 thread:

    model     params x tokens/step   idle   one core busy   loaded (load avg ~3)
    sort5      35k x 1.5k = 5e7      0.81   1.65            39
    reverse    69k x 2.8k = 2e8      0.74   1.91            33
    add5_rev  402k x 4.9k = 2e9      0.58   1.59            1.6
    mod_add   228k x  15k = 3e9      0.58   1.46            1.45 (full batch)

Whenever another process wants a core (a second pytest-xdist worker, another run),
small kernels wait for a preempted thread. So: on CPU, a step with less work than
SMALL_STEP_WORK (parameters x tokens) trains on one thread, at worst 1.35x from the
best where two threads can be 39x off; bigger steps, which gain 1.7x on an idle
machine, keep torch's default. An explicit count (--threads) always wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

SMALL_STEP_WORK = 1e9


def choose_threads(
    requested: int | None, n_params: int, tokens_per_step: int, device: torch.device
) -> int | None:
    """The thread count to set, or None to leave torch's setting alone."""
    if requested is not None:
        return requested
    if device.type == "cpu" and n_params * tokens_per_step < SMALL_STEP_WORK:
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
