"""An s-op's computation flow on one input, laid out as a transformer would run it.

`draw(sop)` in the REPL shows this: every node the s-op depends on, placed in
the attention or MLP sublayer where it can first be computed (a selector with
the head that uses it), with its formula over its parents' names and its
values on the input. The text form is for the terminal; `flow_svg` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasplab.rasp import nodes as n
from rasplab.rasp.display import format_plain, format_selector, token_str
from rasplab.rasp.program import Program

_ATTENTION = (n.Aggregate, n.SelectorWidth)
_INPUTS = (n.Tokens, n.Indices, n.Const)


@dataclass(frozen=True)
class Step:
    """One node of the flow: its name, formula, kind ("sop" or "selector"), values and
    the steps it reads."""

    name: str
    formula: str
    kind: str
    values: list[Any]  # a value per position, or the selector's 0/1 rows
    reads: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    """A row of the flow: the input (0), or layer L's attention (2L-1) or MLP (2L)."""

    index: int
    steps: tuple[Step, ...]

    @property
    def title(self) -> str:
        if self.index == 0:
            return "input"
        layer = (self.index + 1) // 2
        return f"layer {layer} {'attention' if self.index % 2 else 'MLP'}"


@dataclass(frozen=True)
class Flow:
    name: str
    input: list[Any]
    stages: tuple[Stage, ...]

    @property
    def layers(self) -> int:
        return (max(stage.index for stage in self.stages) + 1) // 2


def build_flow(program: Program, tokens: list[Any]) -> Flow:
    """Every node of `program` with its values on `tokens`, grouped by sublayer."""
    trace = program.evaluate([tokens])
    stage_of: dict[int, int] = {}
    for node in program.nodes:  # dependency order: children first
        below = max((stage_of[c.uid] for c in node.children), default=0)
        if isinstance(node, _INPUTS):
            stage_of[node.uid] = 0
        elif isinstance(node, n.Selector):
            stage_of[node.uid] = below  # computed inside the head that reads it
        elif isinstance(node, _ATTENTION):
            stage_of[node.uid] = below + 1 if below % 2 == 0 else below + 2
        else:  # an elementwise map: the next MLP
            stage_of[node.uid] = below + 1 if below % 2 == 1 else max(below, 2)
    # a selector is drawn in the head of its first reader (readers come later in the order)
    readers: dict[int, list[n.Node]] = {}
    for node in program.nodes:
        for child in node.children:
            readers.setdefault(child.uid, []).append(node)
    for node in reversed(program.nodes):
        if isinstance(node, n.Selector):
            stage_of[node.uid] = min(stage_of[r.uid] for r in readers.get(node.uid, [node]))
    by_stage: dict[int, list[Step]] = {}
    for node in program.nodes:
        if isinstance(node, n.Const) and node is not program.output:
            continue  # shown by value in its readers' formulas
        name = program.name_of(node)
        kind = "selector" if isinstance(node, n.Selector) else "sop"
        reads = tuple(program.name_of(c) for c in node.children if not isinstance(c, n.Const))
        step = Step(name, formula(node, program), kind, trace[name][0], reads)
        by_stage.setdefault(stage_of[node.uid], []).append(step)
    stages = tuple(Stage(i, tuple(steps)) for i, steps in sorted(by_stage.items()))
    return Flow(program.name, list(tokens), stages)


def formula(node: n.Node, program: Program) -> str:
    """The node's operation over its parents' names: `aggregate(smaller, tokens)`."""

    def arg(value: Any) -> str:
        if isinstance(value, n.Const):
            value = value.value
        if isinstance(value, n.Node):
            return program.name_of(value)
        text = format_plain(value)
        return text if len(text) <= 24 else text[:21] + "..."

    if isinstance(node, n.Tokens):
        return "the input" + (
            "" if node.conversion in ("str", "asis") else f" as {node.conversion}"
        )
    if isinstance(node, n.Indices):
        return "the positions"
    if isinstance(node, n.Const):
        return f"the constant {arg(node.value)}"
    if isinstance(node, n.Map):
        return _map_formula(node.op, [arg(a) for a in node.args])
    if isinstance(node, n.Aggregate):
        return f"aggregate({arg(node.selector)}, {arg(node.sop)}, default {arg(node.default)})"
    if isinstance(node, n.SelectorWidth):
        return f"selector_width({arg(node.selector)})"
    if isinstance(node, n.At):
        return f"{arg(node.sop)}[{node.position}]"
    if isinstance(node, n.Contains):
        return f"{arg(node.value)} in {arg(node.sop)}"
    if isinstance(node, n.Select):
        return f"select({arg(node.keys)}, {arg(node.queries)}, {node.op})"
    if isinstance(node, n.SelectorLogic):
        return f"{node.op}({', '.join(arg(a) for a in node.args)})"
    return node.describe()


_PREFIX = {"not": "not ", "neg": "-", "pos": "+"}


def _map_formula(op: str, args: list[str]) -> str:
    """An elementwise map written as source: `tokens == "l"`, `-x`, `table[x]`."""
    if op in _PREFIX:
        return _PREFIX[op] + args[0]
    if op in ("round", "indicator"):
        return f"{op}({args[0]})"
    if op == "ternary":
        return f"{args[0]} if {args[1]} else {args[2]}"
    if op == "lookup":
        return f"{args[0]}[{args[1]}]"
    if len(args) == 2:
        return f"{args[0]} {op} {args[1]}"
    return f"{op}({', '.join(args)})"


def format_flow(flow: Flow) -> str:
    """The flow as terminal text: a block per sublayer, values under the input's tokens."""
    header = f"{flow.name} on {format_plain(flow.input)}: {flow.layers} layer(s)"
    width = max(len(s.name) for stage in flow.stages for s in stage.steps)
    lines = [header]
    for stage in flow.stages:
        lines.append(f"  {stage.title}")
        for step in stage.steps:
            lines.append(f"    {step.name.ljust(width)}  = {step.formula}")
            if step.kind == "selector":
                lines.extend(format_selector(flow.input, step.values, " " * (width + 8)))
            else:
                shown = " ".join(token_str(v) for v in step.values)
                lines.append(f"    {' ' * width}    {shown}")
    return "\n".join(lines)
