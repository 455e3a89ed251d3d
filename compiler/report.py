"""What `rasp compile` and `rasp verify` print: a compiled model's structure as a
table a reader can map back to the program, and a verification's outcome."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from rasplab.compiler.compiled import CompiledModel
from rasplab.compiler.verify import VerifyResult
from rasplab.rasp.display import format_plain

HEADER = ("layer", "block", "node", "width", "construction")
WIDTH = 88
CONTINUED = "    "


def residual_widths(cm: CompiledModel) -> dict[str, int]:
    """Each s-op's residual width, in residual order (the direct sum d_model splits into)."""
    return {sop: len(dims) for sop, dims in sorted(cm.layout.sops.items(), key=lambda i: i[1])}


def compile_summary(cm: CompiledModel) -> dict[str, Any]:
    """The model's shape as plain JSON values: what `rasp compile --json` prints."""
    cfg = cm.model.cfg
    return {
        "program": cm.program,
        "vocab": cm.vocab,
        "max_len": cm.max_len,
        "causal": cm.causal,
        "layers": cfg.n_layers,
        "d_model": cfg.d_model,
        "params": cm.parameter_count(),
        "heads_per_layer": list(cfg.heads_per_layer),
        "mlp_width_per_layer": list(cfg.d_mlp_per_layer),
        "blocks": [asdict(b) for b in cm.layout.blocks],
        "residual": residual_widths(cm),
        "fused": dict(cm.layout.fused),
        "notes": dict(cm.layout.notes),
    }


def _block_rows(cm: CompiledModel) -> list[tuple[str, ...]]:
    """One row per head and per MLP node; the layer and the MLP's total width are
    shown once, on the first row they apply to."""
    rows: list[tuple[str, ...]] = []
    mlp_widths = cm.model.cfg.d_mlp_per_layer
    for layer in range(cm.model.cfg.n_layers):
        first = len(rows)
        blocks = sorted(
            (b for b in cm.layout.blocks if b.layer == layer),
            key=lambda b: (b.kind != "attn", b.index),
        )
        mlp_label = f"mlp ({mlp_widths[layer]})"
        for b in blocks:
            if b.kind == "attn":
                block = f"head {b.index}"
            else:
                block, mlp_label = mlp_label, ""
            rows.append(("", block, b.node, str(b.width), b.construction))
        if len(rows) == first:
            rows.append(("", "(empty)", "", "", ""))
        rows[first] = (str(layer), *rows[first][1:])
    return rows


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Columns padded to their widest cell; the width column right-aligned."""
    widths = [max(len(row[c]) for row in rows) for c in range(len(HEADER))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if c == 3 else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def _flowed(prefix: str, items: list[str], separator: str) -> list[str]:
    """Items joined by `separator` into lines of at most WIDTH characters, never
    breaking inside an item; continuation lines are indented."""
    pieces = [item + separator for item in items[:-1]] + items[-1:]
    lines = [prefix + pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + 1 + len(piece) > WIDTH:
            lines.append(CONTINUED + piece)
        else:
            lines[-1] += " " + piece
    return lines


def format_compile(cm: CompiledModel, source: str, seconds: float) -> str:
    """The table `rasp compile` prints: blocks per layer, then sizes, then notes."""
    cfg = cm.model.cfg
    direction = "causal" if cm.causal else "bidirectional"
    lines = [
        f"compiled '{cm.program}' from {source}: vocab {format_plain(cm.vocab)}, "
        f"max_len {cm.max_len}, {direction}, in {seconds:.2f} s",
        "",
        *_table([HEADER, *_block_rows(cm)]),
        "  (width: head dimension for a head, hidden units for an MLP)",
        "",
        f"layers            {cfg.n_layers}",
        f"heads             {sum(cfg.heads_per_layer)}",
        f"MLP hidden units  {sum(cfg.d_mlp_per_layer)}",
        f"residual width    {cfg.d_model} (d_model)",
        f"parameters        {cm.parameter_count():,}",
        f"output            {cm.program} ({cm.output_encoding})",
    ]
    residual = [f"{sop} {w}" for sop, w in residual_widths(cm).items()]
    lines += ["", *_flowed(f"residual: {cfg.d_model} = ", residual, " +")]
    fused: dict[str, list[str]] = {}
    for sop, root in cm.layout.fused.items():
        fused.setdefault(root, []).append(sop)
    notes = [_flowed(f"  {root}'s MLP also computes ", sops, ",") for root, sops in fused.items()]
    notes += [[f"  {sop}: {note}"] for sop, note in cm.layout.notes.items()]
    if notes:
        lines += ["", "notes:", *(line for note in notes for line in note)]
    return "\n".join(lines)


def format_verify(result: VerifyResult, program: str) -> str:
    """Checked / exact / fraction, and the first mismatches with both outputs."""
    how = "every input up to max_len" if result.exhaustive else "random inputs"
    lines = [
        f"verified '{program}': compiled model against the interpreter",
        f"checked   {result.checked} ({how})",
        f"exact     {result.exact}",
        f"fraction  {result.fraction:.6f}",
    ]
    if result.mismatches:
        lines.append("mismatches:")
        for m in result.mismatches:
            lines += [
                f"  input        {format_plain(m['input'])}",
                f"  compiled     {format_plain(m['compiled'])}",
                f"  interpreter  {format_plain(m['interpreter'])}",
            ]
    return "\n".join(lines)
