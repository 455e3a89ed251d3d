"""The residual layout: every dimension's label, and which block computes each s-op."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rasplab.compiler.blocks import Dir, label


@dataclass
class BlockInfo:
    """Where one s-op is computed: ("attn", layer, head) or ("mlp", layer, first unit, width)."""

    node: str
    kind: str
    layer: int
    index: int
    width: int
    construction: str


@dataclass
class Layout:
    """Residual dimension -> label (`sop:value` or `sop`); s-op -> dimensions and blocks."""

    labels: list[str]
    sops: dict[str, list[int]] = field(default_factory=dict)
    values: dict[str, list[Any]] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    blocks: list[BlockInfo] = field(default_factory=list)
    fused: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dirs(cls, dirs: list[Dir]) -> Layout:
        layout = cls([label(d) for d in dirs])
        for i, (name, _, _) in enumerate(dirs):
            layout.sops.setdefault(name, []).append(i)
        return layout

    def dims(self, sop: str) -> list[int]:
        """The residual dimensions holding an s-op (empty if it was fused away)."""
        if sop not in self.sops and sop not in self.fused:
            raise KeyError(f"no s-op '{sop}' in this model; it has {sorted(self.sops)}")
        return list(self.sops.get(sop, []))

    def computed_by(self, sop: str) -> list[BlockInfo]:
        """The heads and MLPs that compute an s-op (its fusion root's, if fused)."""
        sop = self.fused.get(sop, sop)
        return [b for b in self.blocks if b.node == sop]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["values"] = {k: [_jsonable(v) for v in vs] for k, vs in self.values.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layout:
        data = dict(data)
        data["blocks"] = [BlockInfo(**b) for b in data["blocks"]]
        return cls(**data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return float(value)
