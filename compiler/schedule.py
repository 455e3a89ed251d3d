"""Blocks -> layers: each block as early as what it reads allows.

Sublayer 0 is the embedding; layer l's attention is sublayer 2l+1 and its MLP
2l+2. A head goes in the first attention sublayer after everything it reads is
written, an MLP in the first MLP sublayer after; a selector width's decoding MLP
sits right after its head. So the layer count is the longest path of
attention/MLP steps, and blocks that can share a layer do.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasplab.compiler.blocks import Head, MLPBlock
from rasplab.compiler.plan import Plan


@dataclass
class Schedule:
    n_layers: int
    heads: list[list[Head]]  # per layer
    mlps: list[list[MLPBlock]]  # per layer
    written_at: dict[str, int]  # s-op -> sublayer that writes it


def schedule(plan: Plan, embedded: set[str]) -> Schedule:
    """Place every block; an s-op written by several blocks (the terms of a summed
    selector width) is ready only once all of them are placed."""
    writers: dict[str, int] = {}
    for block in [*plan.heads, *plan.mlps]:
        for name in block.writes:
            writers[name] = writers.get(name, 0) + 1
    written_at = {name: 0 for name in embedded}
    partial: dict[str, int] = {}

    def wrote(name: str, slot: int) -> None:
        partial[name] = max(partial.get(name, 0), slot)
        writers[name] -= 1
        if writers[name] == 0:
            written_at[name] = partial[name]

    placed: list[tuple[int, Head | MLPBlock]] = []
    pending: list[Head | MLPBlock] = [*plan.heads, *plan.mlps]
    while pending:
        ready = [block for block in pending if block.reads <= written_at.keys()]
        if not ready:
            missing = sorted({r for b in pending for r in b.reads} - written_at.keys())
            raise RuntimeError(f"compiler bug: nothing writes {missing}")
        for block in ready:
            after = max((written_at[r] for r in block.reads), default=0)
            slot = _next(after, odd=isinstance(block, Head))
            placed.append((slot, block))
            for name in block.writes:
                wrote(name, slot)
            pending.remove(block)
    last = max([slot for slot, _ in placed], default=0)
    n_layers = (last + 1) // 2
    heads: list[list[Head]] = [[] for _ in range(n_layers)]
    mlps: list[list[MLPBlock]] = [[] for _ in range(n_layers)]
    for slot, block in placed:
        if isinstance(block, Head):
            heads[(slot - 1) // 2].append(block)
        else:
            mlps[(slot - 2) // 2].append(block)
    return Schedule(n_layers, heads, mlps, written_at)


def _next(after: int, odd: bool) -> int:
    slot = after + 1
    if (slot % 2 == 1) != odd:
        slot += 1
    return slot
