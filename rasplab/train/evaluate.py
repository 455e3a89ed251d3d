"""Scoring a model on a batch: loss, per-position and whole-sequence accuracy.

Logits are computed only at scored positions (output_positions), which is where the
unembedding's cost goes and all that the loss and accuracy read. A sequence counts
as right only when every scored position in it is right.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from rasplab.model import Transformer
from rasplab.train.data import Batch

EVAL_CHUNK = 4096


@dataclass(frozen=True)
class Scores:
    loss: float
    position_accuracy: float
    sequence_accuracy: float


def scored_logits(model: Transformer, batch: Batch) -> torch.Tensor:
    """Logits [n_scored, n_classes] at the batch's scored positions, in row-major order."""
    return model(batch.tokens, attention_mask=batch.mask, output_positions=batch.scored)


def correct_counts(logits: torch.Tensor, batch: Batch) -> tuple[int, int]:
    """(right positions, right sequences) of `logits` from scored_logits(model, batch)."""
    scored = batch.scored
    hits = logits.argmax(dim=-1) == batch.targets[scored]
    per_position = torch.ones_like(scored)
    per_position[scored] = hits
    return int(hits.sum()), int(per_position.all(dim=1).sum())


@torch.no_grad()
def evaluate(model: Transformer, batch: Batch) -> Scores:
    """Mean loss and accuracies over every scored position and sequence of `batch`."""
    loss_sum, positions, right_positions, right_sequences = 0.0, 0, 0, 0
    for start in range(0, len(batch), EVAL_CHUNK):
        chunk = batch.select(slice(start, start + EVAL_CHUNK))
        logits = scored_logits(model, chunk)
        targets = chunk.targets[chunk.scored]
        loss_sum += float(F.cross_entropy(logits, targets, reduction="sum"))
        positions += len(targets)
        hits, sequences = correct_counts(logits, chunk)
        right_positions += hits
        right_sequences += sequences
    return Scores(
        loss=loss_sum / positions,
        position_accuracy=right_positions / positions,
        sequence_accuracy=right_sequences / len(batch),
    )
