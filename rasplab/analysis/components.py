"""The parts of a model that write to the residual stream, named and located once, so
logit attribution and ablation speak of the same things: embeddings, each head, each
MLP, each neuron (a neuron is an MLP's hook_post column)."""

from __future__ import annotations

from dataclasses import dataclass

from rasplab.model import Transformer


@dataclass(frozen=True)
class Component:
    """name: "embed", "pos_embed", "L1H0", "L0 MLP" or "L0N12"; hook: the activation
    that ablating it replaces; index: the head or neuron within it (None: all of it)."""

    name: str
    kind: str  # "embed" | "head" | "mlp" | "neuron"
    layer: int | None
    hook: str
    index: int | None = None


def components(model: Transformer) -> list[Component]:
    """Every embedding, head and MLP, in forward order (neurons: see `neuron`)."""
    out = [Component("embed", "embed", None, "hook_embed")]
    if model.pos_embed is not None:
        out.append(Component("pos_embed", "embed", None, "hook_pos_embed"))
    for layer, block in enumerate(model.blocks):
        if block.attn is not None:
            out += [
                Component(f"L{layer}H{h}", "head", layer, f"blocks.{layer}.attn.hook_z", h)
                for h in range(block.attn.n_heads)
            ]
        if block.mlp is not None:
            out.append(Component(f"L{layer} MLP", "mlp", layer, f"blocks.{layer}.hook_mlp_out"))
    return out


def neuron(layer: int, index: int) -> Component:
    return Component(f"L{layer}N{index}", "neuron", layer, f"blocks.{layer}.mlp.hook_post", index)
