"""A computation flow (`rasp.flow`) drawn as an SVG picture, written as plain text.

SVG is text, so the language package draws without a plotting library: a band
per sublayer (input, then each layer's attention and MLP), a box per step with
its formula and its values on the input (a grid for a selector), and an arrow
from each step to the steps that read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from rasplab.rasp.display import format_plain, token_str
from rasplab.rasp.flow import Flow, Stage, Step

CHAR = 7.2  # width of one character of 12px monospace
LINE = 16
CELL = 14
PAD = 8
GAP = 28
BAND_LABEL = 160
MAX_WIDTH = 1500

_FILL = {"input": "#eeeeee", "attention": "#f6dcf2", "MLP": "#fff8c6"}


@dataclass
class _Box:
    step: Step
    stage: int
    x: float
    y: float
    width: float
    height: float


def _size(step: Step, tokens: list[str]) -> tuple[float, float]:
    title = len(step.name) + 3 + len(step.formula)
    if step.kind == "selector":
        label = max(len(t) for t in tokens)
        grid = label * CHAR + 6 + len(tokens) * CELL
        return max(title * CHAR, grid) + 2 * PAD, LINE + label * CHAR + 6 + len(
            tokens
        ) * CELL + 2 * PAD
    cells = sum(max(len(token_str(v)), 1) + 1 for v in step.values)
    return max(title, cells) * CHAR + 2 * PAD, 2 * LINE + 2 * PAD


def _layout(flow: Flow, tokens: list[str]) -> tuple[list[tuple[Stage, float, float]], list[_Box]]:
    bands: list[tuple[Stage, float, float]] = []
    boxes: list[_Box] = []
    y = float(GAP)
    for stage in flow.stages:
        top, x, row_height = y, float(BAND_LABEL), 0.0
        for step in stage.steps:
            width, height = _size(step, tokens)
            if x > BAND_LABEL and x + width > MAX_WIDTH:  # wrap onto a new row
                y, x, row_height = y + row_height + GAP, float(BAND_LABEL), 0.0
            boxes.append(_Box(step, stage.index, x, y, width, height))
            x += width + GAP
            row_height = max(row_height, height)
        y += row_height + GAP
        bands.append((stage, top - GAP / 2, y - GAP / 2))
    return bands, boxes


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


def _box(box: _Box, tokens: list[str], fill: str) -> list[str]:
    step, x, y = box.step, box.x, box.y
    parts = [
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
        f'rx="6" fill="{fill}" stroke="#555"/>',
        _text(x + PAD, y + PAD + 11, f"{step.name} = {step.formula}", font_weight="bold"),
    ]
    if step.kind == "sop":
        cx = x + PAD
        for value in step.values:
            shown = token_str(value)
            parts.append(_text(cx, y + PAD + LINE + 13, shown))
            cx += (max(len(shown), 1) + 1) * CHAR
        return parts
    label = max(len(t) for t in tokens) * CHAR + 6
    gx, gy = x + PAD + label, y + PAD + LINE + label
    for j, token in enumerate(tokens):  # keys across the top, queries down the side
        parts.append(_text(gx + j * CELL + 3, gy - 4, token))
        parts.append(_text(x + PAD, gy + j * CELL + 11, token))
    for q, row in enumerate(step.values):
        for k, selected in enumerate(row):
            colour = "#7b3294" if selected else "#ffffff"
            parts.append(
                f'<rect x="{gx + k * CELL:.1f}" y="{gy + q * CELL:.1f}" width="{CELL}" '
                f'height="{CELL}" fill="{colour}" stroke="#bbb"/>'
            )
    return parts


def _edge(source: _Box, target: _Box) -> str:
    """An arrow from the bottom of `source` down to the top of `target`, or from its
    right side to the target's left side when both sit on one row."""
    if source.y == target.y:
        x1, y1 = source.x + source.width, source.y + PAD + 6
        x2, y2 = target.x, target.y + PAD + 6
        curve = f"C{x1 + GAP / 2:.1f},{y1:.1f} {x2 - GAP / 2:.1f},{y2:.1f}"
    else:
        x1, y1 = source.x + source.width / 2, source.y + source.height
        x2, y2 = target.x + target.width / 2, target.y
        bend = max(20.0, (y2 - y1) / 2)
        curve = f"C{x1:.1f},{y1 + bend:.1f} {x2:.1f},{y2 - bend:.1f}"
    return (
        f'<path d="M{x1:.1f},{y1:.1f} {curve} {x2:.1f},{y2:.1f}" fill="none" stroke="#444" '
        f'stroke-opacity="0.6" marker-end="url(#arrow)"/>'
    )


def flow_svg(flow: Flow) -> str:
    """The whole picture as an SVG document."""
    tokens = [token_str(t) for t in flow.input]
    bands, boxes = _layout(flow, tokens)
    width = max(b.x + b.width for b in boxes) + GAP
    height = bands[-1][2] + GAP / 2
    where = {b.step.name: b for b in boxes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="monospace" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    for stage, top, bottom in bands:
        kind = "input" if stage.index == 0 else stage.title.split()[-1]
        parts.append(
            f'<rect x="4" y="{top:.1f}" width="{width - 8:.0f}" height="{bottom - top:.1f}" '
            f'fill="{_FILL[kind]}" fill-opacity="0.35" stroke="none"/>'
        )
        parts.append(_text(10, top + 20, stage.title, font_weight="bold", fill="#333"))
    for box in boxes:
        for name in box.step.reads:
            parts.append(_edge(where[name], box))
    for box in boxes:
        parts.extend(_box(box, tokens, _FILL["input"] if box.stage == 0 else "#ffffff"))
    parts.append(_text(10, 14, f"{flow.name} on {format_plain(flow.input)}", font_weight="bold"))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
