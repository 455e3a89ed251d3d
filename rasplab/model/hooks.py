"""Hook points: named places in the forward pass where callers read or replace activations.

Reading is how caching works; replacing is how activation patching and interchange
interventions work. Names follow TransformerLens so that code written for it reads
the same here.
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

# fn(activation, hook=HookPoint) -> a replacement tensor, or None to leave it as it is.
HookFn = Callable[..., torch.Tensor | None]
# An exact hook-point name, or a predicate on names.
NameFilter = str | Callable[[str], bool]
FwdHooks = Sequence[tuple[NameFilter, HookFn]]


class HookPoint(nn.Module):
    """Identity on the activation passing through, unless hooks are attached.

    Each hook is called as fn(tensor, hook=self), in the order attached, like
    TransformerLens; `hook.name` says where it is.
    """

    def __init__(self) -> None:
        super().__init__()
        self.name = ""  # set by name_hook_points, e.g. "blocks.0.attn.hook_z"
        # An OrderedDict because RemovableHandle holds a weak reference to it.
        self._fns: OrderedDict[int, HookFn] = OrderedDict()

    @property
    def active(self) -> bool:
        """Whether any hook is attached; lets costly optional activations be skipped."""
        return bool(self._fns)

    def add_hook(self, fn: HookFn) -> RemovableHandle:
        handle = RemovableHandle(self._fns)
        self._fns[handle.id] = fn
        return handle

    def remove_hooks(self) -> None:
        self._fns.clear()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for fn in list(self._fns.values()):
            out = fn(x, hook=self)
            if out is None:
                continue
            if not isinstance(out, torch.Tensor) or out.shape != x.shape:
                got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
                raise ValueError(
                    f"hook on {self.name} returned {got}; a replacement must be a tensor "
                    f"of the activation's shape {tuple(x.shape)} (or None to keep it)"
                )
            x = out
        return x

    def extra_repr(self) -> str:
        return self.name


def name_hook_points(module: nn.Module) -> dict[str, HookPoint]:
    """Give every HookPoint under `module` its dotted name; return them in forward order."""
    points = {name: m for name, m in module.named_modules() if isinstance(m, HookPoint)}
    for name, point in points.items():
        point.name = name
    return points


def any_active(module: nn.Module) -> bool:
    """Whether any hook point inside `module` has a hook attached."""
    return any(m.active for m in module.modules() if isinstance(m, HookPoint))


def matching(points: dict[str, HookPoint], target: NameFilter) -> list[str]:
    """Names that `target` selects; an unknown exact name is an error, not a no-op."""
    if isinstance(target, str):
        if target not in points:
            close = difflib.get_close_matches(target, points, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ValueError(
                f"no hook point named {target!r}{hint} (model.hook_points() lists them all)"
            )
        return [target]
    if callable(target):
        return [name for name in points if target(name)]
    raise TypeError(f"a hook target must be a name or a predicate on names, got {target!r}")


@contextmanager
def attached(points: dict[str, HookPoint], fwd_hooks: FwdHooks) -> Iterator[None]:
    """Attach hooks for the duration of the block, removing them even on exceptions."""
    handles: list[RemovableHandle] = []
    try:
        for target, fn in fwd_hooks:
            handles.extend(points[name].add_hook(fn) for name in matching(points, target))
        yield
    finally:
        for handle in handles:
            handle.remove()
