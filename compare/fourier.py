"""Per-frequency causal test of the Fourier algorithm in a modular-addition model.

A model that has grokked (a + b) mod p reads each operand through the cosine and
sine of a few key frequencies (Nanda et al. 2023). For each key frequency k, found
from the embedding (as rasplab.analysis.fourier finds them; compare sits below it), and
one non-key frequency as a control,
the operand's (cos_k, sin_k) plane in the embedding (the Fourier coefficients of the
number embeddings, nothing trained, so nothing to overfit) is swapped from a source
input that differs in that operand, at the operand's position, and the answer is
read at "=".

One frequency among several rarely flips the argmax, so beside IIA (the share of
pairs whose answer becomes the counterfactual (a' + b) mod p) the report gives a
graded measure: how far the swap moves the logit difference between the
counterfactual and the base answer, as a share of how far swapping the whole operand
moves it. A key frequency the model reads moves it; the control moves it about
nothing; all key frequencies swapped together should move it (and IIA) most of the
way. The site is the embedding, so this says which parts of the input the model
reads, not where it adds the angles.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from rasplab.compare.adapter import Adapter, CompareError, adapter_for
from rasplab.tasks import Task

from rasplab.model import Transformer, act_name

Operand = Literal["a", "b"]
KEY_SHARE = 0.9  # key frequencies: the fewest largest that carry this share of the norm
MAX_KEYS = 8


@dataclass
class SwapResult:
    """One swap (a frequency's plane, all key planes, or the whole operand) on one operand."""

    what: str
    operand: Operand
    frequencies: list[int]
    key: bool
    norm_share: float  # share of the embedding's non-constant squared norm in the planes
    shift_share: float  # mean logit-difference shift, as a share of the whole operand's
    iia: float


@dataclass
class FourierReport:
    task: str
    p: int
    key_frequencies: list[int]
    control: int
    pairs: int
    rows: list[SwapResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        """The rows as a printed table, operand by operand."""
        lines = [
            f"Fourier causality on {self.task} (p = {self.p}): key frequencies "
            f"{self.key_frequencies}, control {self.control}, {self.pairs} pairs per operand",
            f"  {'operand':8}{'swap':16}{'key':>5}{'norm share':>12}{'shift share':>13}"
            f"{'IIA':>7}",
        ]
        for r in self.rows:
            lines.append(
                f"  {r.operand:8}{r.what:16}{'yes' if r.key else 'no':>5}{r.norm_share:12.3f}"
                f"{r.shift_share:13.3f}{r.iia:7.3f}"
            )
        return "\n".join(lines + [f"  note: {note}" for note in self.notes])


def coefficients(embedding: torch.Tensor) -> torch.Tensor:
    """[(p - 1) / 2, 2, d]: for k = 1.. (entry k - 1), the sums over x of cos(w_k x) E[x]
    and sin(w_k x) E[x] of a [p, d] number embedding E (p odd): the directions in which
    it writes frequency k."""
    p = embedding.shape[0]
    x = torch.arange(p, dtype=torch.float64)
    angles = 2 * torch.pi * torch.arange(1, (p - 1) // 2 + 1, dtype=torch.float64)[:, None] * x / p
    waves = torch.stack([angles.cos(), angles.sin()], 1)  # [K, 2, p]
    return waves @ embedding.detach().double().cpu()


def _planes(embedding: torch.Tensor, freqs: list[int]) -> torch.Tensor:
    """[2 len(freqs), d] orthonormal rows spanning the embedding's directions of `freqs`."""
    directions = coefficients(embedding)[[k - 1 for k in freqs]].flatten(0, 1)
    q, _ = torch.linalg.qr(directions.T)
    return q.T.float()


def choose_keys(norms: torch.Tensor, n: int | None = None) -> list[int]:
    """The n largest frequencies, or the fewest (at most MAX_KEYS) that carry KEY_SHARE of
    the squared norm; never all of them."""
    order = [int(i) + 1 for i in norms.argsort(descending=True)]
    if n is None:
        shares = (norms.pow(2).sort(descending=True).values.cumsum(0) / norms.pow(2).sum())
        n = min(int((shares < KEY_SHARE).sum()) + 1, MAX_KEYS)
    return order[: min(n, len(order) - 1)]  # one frequency is left for the control


class _Swapper:
    """Runs base inputs with part of one operand's embedding taken from a source."""

    def __init__(self, adapter: Adapter, p: int, rng: np.random.Generator, pairs: int) -> None:
        self.adapter = adapter
        self.p = p
        numbers = [str(x) for x in range(p)]
        self.number_ids = adapter.ids([numbers])[0, 1:]
        self.classes = torch.tensor([adapter.output_values.index(x) for x in numbers],
                                    device=adapter.device)
        self.embedding = adapter.model.embed.W_E[self.number_ids].detach()
        a, b = rng.integers(p, size=pairs), rng.integers(p, size=pairs)
        device = adapter.device
        self.base = torch.tensor(np.stack([a, b], 1), device=device)
        # source = base + shift in the swapped operand, so its answer differs
        self.shift = torch.tensor(rng.integers(1, p, size=pairs), device=device)

    @torch.no_grad()
    def run(self, operand: Operand, planes: torch.Tensor | None) -> tuple[float, float]:
        """(mean logit difference cf - base answer, IIA) with the planes of the operand
        swapped ([k, d] orthonormal rows; None: nothing swapped)."""
        column = 0 if operand == "a" else 1
        source = self.base.clone()
        source[:, column] = (source[:, column] + self.shift) % self.p
        tokens = [[str(x), str(y), "="] for x, y in self.base.tolist()]
        ids = self.adapter.ids(tokens)
        delta = self.embedding[source[:, column]] - self.embedding[self.base[:, column]]
        if planes is not None:
            delta = (delta @ planes.T.to(delta)) @ planes.to(delta)
        position = column + 1

        def hook(h: torch.Tensor, hook) -> torch.Tensor:
            h = h.clone()
            h[:, position] += delta.to(h)
            return h

        fwd = [] if planes is None else [(act_name("resid_pre", 0), hook)]
        logits = self.adapter.model.run_with_hooks(ids, fwd_hooks=fwd)[:, -1]
        answer = self.classes[self.base.sum(1) % self.p]
        counterfactual = self.classes[source.sum(1) % self.p]
        rows = torch.arange(len(ids), device=logits.device)
        difference = logits[rows, counterfactual] - logits[rows, answer]
        iia = (logits.argmax(-1) == counterfactual).double().mean()
        return float(difference.double().mean()), float(iia)


def fourier_causality(model: Transformer | None, task: Task, n_keys: int | None = None,
                      pairs: int = 500, seed: int = 0,
                      adapter: Adapter | None = None) -> FourierReport:
    """Per key frequency (and a non-key control, and all keys together), is the
    operand's (cos_k, sin_k) plane causal for the model's answer? `adapter` stands in
    for the model where it is not a rasplab Transformer (a constructed test model)."""
    adapter = adapter or adapter_for(model, task)
    p = len(adapter.output_values)
    if not task.name.startswith("mod_add") or p < 5 or p % 2 == 0:
        raise CompareError(
            f"--fourier needs a modular-addition task with an odd modulus p >= 5 (mod_add, "
            f"mod_add_p53, ...), not {task.name}"
        )
    swapper = _Swapper(adapter, p, np.random.default_rng(seed), pairs)
    norms = coefficients(swapper.embedding).pow(2).sum((1, 2)).sqrt()
    squared = norms.pow(2) / norms.pow(2).sum()
    keys = choose_keys(norms, n_keys)
    control = min((k for k in range(1, len(norms) + 1) if k not in keys),
                  key=lambda k: float(norms[k - 1]))
    report = FourierReport(task.name, p, keys, control, pairs)
    swaps = [(f"k={k}", [k], True) for k in keys]
    swaps += [(f"control k={control}", [control], False), ("all key", keys, True)]
    for operand in ("a", "b"):
        clean, _ = swapper.run(operand, None)
        whole, whole_iia = swapper.run(operand, torch.eye(swapper.embedding.shape[1]))
        for what, freqs, key in swaps:
            shifted, iia = swapper.run(operand, _planes(swapper.embedding, freqs))
            norm_share = float(squared[[k - 1 for k in freqs]].sum())
            report.rows.append(SwapResult(what, operand, freqs, key, norm_share,
                                          (shifted - clean) / (whole - clean), iia))
        report.rows.append(SwapResult("whole operand", operand, [], False, 1.0, 1.0, whole_iia))
    report.notes += [
        "swaps at the embedding, at the operand's position, in the plane of the number "
        "embeddings' Fourier coefficients at k (untrained); the answer is read at '='",
        "shift share: mean change of logit(counterfactual) - logit(base answer), as a "
        "share of the change when the whole operand is swapped; IIA: share of pairs whose "
        "answer becomes the counterfactual",
        f"key frequencies: the fewest largest carrying {KEY_SHARE:.0%} of the embedding's "
        f"non-constant squared norm (at most {MAX_KEYS}); control: the other frequency with "
        "the least",
    ]
    return report
