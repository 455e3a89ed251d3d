"""Size limits, checked before the work starts.

Without them an oversized request fails late and badly: a 10 MB program ran past 400 s,
`range(100000000)` took 3.8 GB before a MemoryError, a 100k-token input allocated a
9.3 GiB selector. Each limit below is refused up front with the estimate and the limit
(a RaspError), well before memory or patience runs out; `--no-limits` on the command
line (or `lifted()` in code) turns every check off.

The values are generous for the toy problems rasplab is for and small enough that a
refused request would have cost gigabytes or minutes (bench/faults/resources.py
measures both sides).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rasplab.rasp.errors import RaspError

FLAG = "--no-limits"


@dataclass
class Limits:
    """The limits in force; `enabled` False lifts them all."""

    source_chars: int = 1_000_000  # one program (or loaded file), in characters
    range_items: int = 1_000_000  # items range() may produce
    selector_cells: int = 64_000_000  # cells of one batch of selectors: batch × n × n
    vocab: int = 1_000  # tokens in a compiled model's vocabulary
    max_len: int = 256  # a compiled model's longest input
    compile_cells: int = 20_000_000  # vocab × max_len²: categorical tables to compile
    params: int = 250_000_000  # parameters of a model to build or load (1 GB at float32)
    enabled: bool = True


LIMITS = Limits()


def check(what: str, estimate: int, limit: int, unit: str = "") -> None:
    """Refuse `estimate` above `limit`, saying both and how to lift the limit."""
    if LIMITS.enabled and estimate > limit:
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
    previous = LIMITS.enabled
    LIMITS.enabled = False
    try:
        yield
    finally:
        LIMITS.enabled = previous
