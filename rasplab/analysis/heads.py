"""Head roles from attention patterns, as TransformerLens's head detector scores them.

For one sequence and one head, a role is a 0/1 detection pattern D over (query, key)
and the score is sum(A * D) / sum(A) (TransformerLens's "mul" error measure), averaged
over the sequences. The patterns are TransformerLens's: previous-token (key = query - 1),
duplicate-token (an earlier key holding the query's token), induction (a key right
after an earlier copy of the query's token). Attention to BOS is left out of these
three (exclude_bos), since a head with nothing to do rests there, and is scored on its
own as BOS-resting (the share of attention on position 0), so an induction head reads
high on a task where only half the positions have a previous copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from rasplab.analysis.inputs import Probe
from rasplab.model import Transformer

ROLES = ("previous_token", "duplicate_token", "induction", "bos_resting")


def previous_token_pattern(tokens: torch.Tensor) -> torch.Tensor:
    """D[q, k] = 1 where k = q - 1."""
    n = tokens.shape[0]
    return torch.diag(torch.ones(n - 1), -1)


def duplicate_token_pattern(tokens: torch.Tensor) -> torch.Tensor:
    """D[q, k] = 1 where k < q and tokens[k] == tokens[q]."""
    same = (tokens[:, None] == tokens[None, :]).float()
    return torch.tril(same, -1)


def induction_pattern(tokens: torch.Tensor) -> torch.Tensor:
    """D[q, k] = 1 where k <= q and tokens[k - 1] is an earlier copy of tokens[q]."""
    duplicate = duplicate_token_pattern(tokens)
    shifted = torch.zeros_like(duplicate)
    shifted[:, 1:] = duplicate[:, :-1]
    return torch.tril(shifted)


def bos_pattern(tokens: torch.Tensor) -> torch.Tensor:
    """D[q, 0] = 1."""
    pattern = torch.zeros(tokens.shape[0], tokens.shape[0])
    pattern[:, 0] = 1.0
    return pattern


PATTERNS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "previous_token": previous_token_pattern,
    "duplicate_token": duplicate_token_pattern,
    "induction": induction_pattern,
    "bos_resting": bos_pattern,
}


@dataclass
class HeadScores:
    """scores[role][(layer, head)]: that head's score for the role on the probe."""

    heads: list[tuple[int, int]]
    scores: dict[str, dict[tuple[int, int], float]]

    def best(self, role: str) -> tuple[int, int]:
        """The head that plays `role` most."""
        return max(self.heads, key=lambda h: self.scores[role][h])

    def to_json(self) -> list[dict[str, object]]:
        return [
            {"head": f"L{layer}H{head}", "layer": layer, "index": head}
            | {role: self.scores[role][(layer, head)] for role in ROLES}
            for layer, head in self.heads
        ]


def head_scores(model: Transformer, probe: Probe) -> HeadScores:
    """Every head's score for each role, on the probe's sequences (padding cut off)."""
    names = [
        f"blocks.{layer}.attn.hook_pattern"
        for layer, block in enumerate(model.blocks)
        if block.attn is not None
    ]
    device = next(model.parameters()).device
    with torch.no_grad():
        _, cache = model.run_with_cache(
            probe.tokens.to(device), names, attention_mask=probe.mask.to(device)
        )
    heads = [
        (layer, h)
        for layer, block in enumerate(model.blocks)
        if block.attn is not None
        for h in range(block.attn.n_heads)
    ]
    totals = {role: {head: 0.0 for head in heads} for role in ROLES}
    lengths = probe.mask.sum(dim=1).tolist()
    for row, n in enumerate(lengths):
        tokens = probe.tokens[row, :n]
        detections = {role: PATTERNS[role](tokens) for role in ROLES}
        for layer, head in heads:
            pattern = cache[f"blocks.{layer}.attn.hook_pattern"][row, head, :n, :n].cpu().float()
            for role in ROLES:
                totals[role][(layer, head)] += _score(pattern, detections[role], role)
    return HeadScores(
        heads, {role: {h: v / len(lengths) for h, v in totals[role].items()} for role in ROLES}
    )


def _score(pattern: torch.Tensor, detection: torch.Tensor, role: str) -> float:
    """TransformerLens's "mul" measure, BOS column excluded except for bos_resting."""
    if role != "bos_resting":
        pattern = pattern.clone()
        pattern[:, 0] = 0.0
    total = float(pattern.sum())
    # A head resting wholly on BOS leaves only float dust elsewhere: no role there.
    return float((pattern * detection).sum()) / total if total > 1e-6 else 0.0
