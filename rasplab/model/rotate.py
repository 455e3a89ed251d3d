"""A change of basis of the residual stream that keeps the function: ground truth for
methods that must not depend on the basis a model happens to be written in.

The stream is widened by `extra_dims` noise dimensions that the embeddings write
(fixed random values per token and per position) and nothing reads, then turned by
a random orthogonal Q. Writers' outputs are multiplied by Q on the right, readers'
inputs by Q^T on the left, so every reader sees exactly what it saw before. Without
LayerNorm (compiled models) this is exact up to float rounding.
"""

from __future__ import annotations

import dataclasses

import torch

from rasplab.model.transformer import Transformer


def random_orthogonal(d: int, generator: torch.Generator) -> torch.Tensor:
    """[d, d] Haar-random orthogonal matrix (float64): QR of a Gaussian, signs fixed."""
    q, r = torch.linalg.qr(torch.randn(d, d, generator=generator, dtype=torch.float64))
    return q * torch.sign(torch.diagonal(r)).unsqueeze(0)


def rotated(model: Transformer, seed: int, extra_dims: int = 4, noise_scale: float = 1.0
            ) -> Transformer:
    """A copy of `model` with d_model + extra_dims residual dimensions in a random basis.

    Same logits, same labels (so it decodes the same); the residual at every hook
    point is [original, noise] @ Q. Refuses models with LayerNorm, whose scale
    would read the noise.
    """
    cfg = model.cfg
    if cfg.normalization is not None:
        raise ValueError("rotated() needs a model without LayerNorm: the norm reads every "
                         "residual dimension, the noise included")
    if extra_dims < 0:
        raise ValueError(f"extra_dims must be >= 0, got {extra_dims}")
    generator = torch.Generator().manual_seed(seed)
    d = cfg.d_model + extra_dims
    q = random_orthogonal(d, generator)
    out = Transformer(dataclasses.replace(cfg, d_model=d), init="zeros")
    src = {name: p.detach().double() for name, p in model.named_parameters()}

    def noise(rows: int) -> torch.Tensor:
        return noise_scale * torch.randn(rows, extra_dims, generator=generator,
                                         dtype=torch.float64)

    def write(w: torch.Tensor, fill: torch.Tensor | None = None) -> torch.Tensor:
        """A writer's output [..., d_model] widened (noise or zeros) and turned by Q."""
        extra = fill if fill is not None else w.new_zeros(*w.shape[:-1], extra_dims)
        return torch.cat([w, extra], dim=-1) @ q

    def read(w: torch.Tensor, axis: int) -> torch.Tensor:
        """A reader's input axis (d_model long) given zero weights on the noise, turned by Q."""
        w = w.movedim(axis, -1)
        w = torch.cat([w, w.new_zeros(*w.shape[:-1], extra_dims)], dim=-1) @ q
        return w.movedim(-1, axis)

    new: dict[str, torch.Tensor] = {}
    for name, w in src.items():
        leaf = name.rsplit(".", 1)[-1]
        if leaf in ("W_E", "W_pos"):
            new[name] = write(w, noise(w.shape[0]))
        elif leaf in ("W_O", "b_O", "W_out", "b_out"):
            new[name] = write(w)
        elif leaf in ("W_Q", "W_K", "W_V"):
            new[name] = read(w, axis=1)
        elif leaf in ("W_in", "W_U"):
            new[name] = read(w, axis=0)
        else:  # biases inside heads, the MLP and the unembedding: no residual axis
            new[name] = w
    like = next(model.parameters())
    out.to(device=like.device, dtype=like.dtype)
    with torch.no_grad():
        for name, p in out.named_parameters():
            p.copy_(new[name].to(p.dtype))
    return out


def rotation(model: Transformer, seed: int, extra_dims: int = 4) -> torch.Tensor:
    """The Q that `rotated(model, seed, extra_dims)` uses: its residual is
    [original residual, noise] @ Q, so (residual @ Q.T)[..., :d_model] is the original."""
    return random_orthogonal(model.cfg.d_model + extra_dims, torch.Generator().manual_seed(seed))
