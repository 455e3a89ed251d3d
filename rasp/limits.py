"""Size limits, checked before the work starts.

Without them an oversized request fails late and badly: a 10 MB program ran past 400 s,
`range(100000000)` took 3.8 GB before a MemoryError, a 100k-token input allocated a
9.3 GiB selector. Each limit below is refused up front with the estimate and the limit
(a RaspError), well before memory or patience runs out; `--no-limits` on the command
line, `lifted()` in code, or RASPLAB_NO_LIMITS=1 in the environment turns every check
off. The environment variable is the one switch, so the model's own size check
(rasplab/model/config.py, which may not import this package) and any subprocess see
it too.

The values are generous for the toy problems rasplab is for and small enough that a
refused request would have cost gigabytes or minutes (bench/faults/resources.py
measures both sides).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rasplab.rasp.errors import RaspError

FLAG = "--no-limits"
ENV = "RASPLAB_NO_LIMITS"


@dataclass
class Limits:
    """The limits in force (the model's size limit lives in rasplab/model/config.py)."""

    source_chars: int = 1_000_000  # one program (or loaded file), in characters
    range_items: int = 1_000_000  # items range() may produce
    selector_cells: int = 64_000_000  # cells of one batch of selectors: batch × n × n
    vocab: int = 1_000  # tokens in a compiled model's vocabulary
    max_len: int = 256  # a compiled model's longest input


LIMITS = Limits()


def enabled() -> bool:
    return os.environ.get(ENV, "") != "1"


def check(what: str, estimate: int, limit: int, unit: str = "") -> None:
    """Refuse `estimate` above `limit`, saying both and how to lift the limit."""
    if enabled() and estimate > limit:
        raise RaspError(
            f"{what} is {estimate:,}{unit}, above the limit of {limit:,}{unit}",
            hint=f"{FLAG} lifts the limits (at the cost of the memory and time it takes)",
        )


def check_input_length(length: int, batch: int = 1) -> None:
    """An input of `length` tokens needs selectors of batch × length² cells."""
    check(
        f"an input of {length:,} tokens (batch {batch:,}) needs selectors whose size",
        batch * length * length,
        LIMITS.selector_cells,
        " cells",
    )


@contextmanager
def lifted() -> Iterator[None]:
    """Run the body with every limit off."""
    previous = os.environ.get(ENV)
    os.environ[ENV] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = previous
