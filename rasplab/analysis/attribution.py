"""Direct logit attribution: how much each component's output, read straight through
the unembedding, raises the right answer's logit.

The measure is the correct logit minus the mean logit (a shift of every logit is no
answer), at each scored position, averaged. With a final LayerNorm its scale is frozen
at the clean run's value, which makes the read-out linear, as usual. The contributions
of all components plus the biases sum exactly to the measure. Beside it, each
component's suppression: how far it pushes the wrong answer it pushes down most below
the mean. A component that mostly suppresses wrong answers has little DLA on the
right one yet can matter most, which is where DLA and ablation disagree (ablation.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from rasplab.analysis.components import Component, components, neuron
from rasplab.analysis.inputs import Probe
from rasplab.model import Transformer

TOP_NEURONS = 10


@dataclass
class Attribution:
    """Per component: mean direct effect on correct - mean logit (`dla`) and its mean
    `suppression` (minus its most negative effect on a wrong logit - mean); `measure` is
    the mean correct - mean logit, which the embedding, head and MLP dla values and
    `bias` add up to (neurons split their MLP's share)."""

    dla: dict[str, float]
    suppression: dict[str, float]
    bias: float
    measure: float
    top_neurons: list[Component]

    def to_json(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "bias": self.bias,
            "components": {
                name: {"dla": self.dla[name], "suppression": self.suppression[name]}
                for name in self.dla
            },
        }


@torch.no_grad()
def direct_logit_attribution(model: Transformer, probe: Probe) -> Attribution:
    """DLA of every embedding, head and MLP, and of the TOP_NEURONS neurons with the
    largest (neurons that write nothing to the logits are left out)."""
    device = next(model.parameters()).device
    tokens, mask = probe.tokens.to(device), probe.mask.to(device)
    scored = probe.scored.to(device)
    with torch.no_grad():
        logits, cache = model.run_with_cache(tokens, attention_mask=mask)
    answers = probe.targets.to(device)[scored]
    clean = logits[scored].double()
    read = _readout(model, cache, scored)  # [N, d, C]: residual -> centred logits
    parts = _parts(model, cache, scored)
    dla, suppression = {}, {}
    for name, resid in parts.items():
        effect = torch.einsum("nd,ndc->nc", resid, read)
        dla[name], suppression[name] = _summarise(effect, answers)
    centred = clean - clean.mean(1, keepdim=True)
    measure = float(centred.gather(1, answers[:, None]).mean())
    neuron_dla = _neuron_dla(model, cache, scored, read, answers)
    active = [c for c in neuron_dla if max(abs(neuron_dla[c][0]), neuron_dla[c][1]) > 1e-9]
    ranked = sorted(active, key=lambda c: -abs(neuron_dla[c][0]))[:TOP_NEURONS]
    for c in ranked:
        dla[c.name], suppression[c.name] = neuron_dla[c]
    bias = measure - sum(v for k, v in dla.items() if k in parts)
    return Attribution(dla, suppression, bias, measure, ranked)


def _summarise(effect: torch.Tensor, answers: torch.Tensor) -> tuple[float, float]:
    """(mean effect on the answer, mean suppression of a wrong answer) of [N, C] effects."""
    right = effect.gather(1, answers[:, None])[:, 0]
    wrong = effect.scatter(1, answers[:, None], float("inf")).min(1).values
    return float(right.mean()), float((-wrong).mean())


def _readout(model: Transformer, cache, scored: torch.Tensor) -> torch.Tensor:
    """[N, d, C] per scored position: the map from a component's output to the logits
    minus their mean (the final LayerNorm's centring and frozen scale folded in)."""
    W_U = model.unembed.W_U.double()
    W_U = W_U - W_U.mean(1, keepdim=True)
    n = int(scored.sum())
    if model.cfg.normalization != "LN":
        return W_U.expand(n, *W_U.shape)
    scale = cache["ln_final.hook_scale"][scored].double()  # [N, 1]
    d = W_U.shape[0]
    centre = torch.eye(d, dtype=W_U.dtype, device=W_U.device) - 1.0 / d
    read = centre @ (model.ln_final.w.double()[:, None] * W_U)
    return read.expand(n, *read.shape) / scale[:, :, None]


def _parts(model: Transformer, cache, scored: torch.Tensor) -> dict[str, torch.Tensor]:
    """Each embedding's, head's and MLP's output [N, d] at the scored positions."""
    parts: dict[str, torch.Tensor] = {}
    for c in components(model):
        act = cache[c.hook][scored].double()
        if c.kind == "head":
            W_O = model.blocks[c.layer].attn.W_O[c.index].double()
            act = act[:, c.index] @ W_O
        parts[c.name] = act
    return parts


def _neuron_dla(model, cache, scored, read, answers) -> dict[Component, tuple[float, float]]:
    """(DLA, suppression) of every MLP neuron: its activation times its output row."""
    out: dict[Component, tuple[float, float]] = {}
    for layer, block in enumerate(model.blocks):
        if block.mlp is None:
            continue
        post = cache[f"blocks.{layer}.mlp.hook_post"][scored].double()  # [N, n]
        logits = torch.einsum("nd,Ndc->Nnc", block.mlp.W_out.double(), read)  # [N, n, C]
        effect = post[:, :, None] * logits
        right = effect.gather(2, answers[:, None, None].expand(-1, effect.shape[1], 1))[..., 0]
        wrong = (
            effect.scatter(2, answers[:, None, None].expand(-1, effect.shape[1], 1), float("inf"))
            .min(2)
            .values
        )
        dla, suppression = right.mean(0), (-wrong).mean(0)
        for i in range(post.shape[1]):
            out[neuron(layer, i)] = (float(dla[i]), float(suppression[i]))
    return out
