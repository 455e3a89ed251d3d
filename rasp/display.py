"""Values printed the way the reference RASP REPL prints them.

An s-op shows its values on the running example with their type, a selector
shows its matrix under the example's tokens, so a reader sees what a definition
computes without evaluating it by hand. The REPL and `rasp run` share this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rasplab.rasp import ast
from rasplab.rasp import nodes as n
from rasplab.rasp.errors import RaspError
from rasplab.rasp.values import Builtin, Function, kind_of

if TYPE_CHECKING:
    from rasplab.rasp.session import Session, Value

LEAD = "     "  # the reference REPL's indent before "s-op:", "selector:", ...
EXAMPLE = " \t Example:"
MATRIX_INDENT = " \t   "
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def token_str(value: Any) -> str:
    """One element of a sequence: floats to 3 decimals, bools as T/F."""
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, float):
        return str(round(value, 3))
    return str(value)


def sequence_type(values: Sequence[Any]) -> str:
    """The reference REPL's type name: bools, strings, ints or floats (ints mixed with floats)."""
    for name, kind in (("bools", bool), ("strings", str), ("ints", int)):
        if all(isinstance(v, kind) for v in values):
            return name
    if all(isinstance(v, (int, float)) for v in values):
        return "floats"
    return "mixed values"


def format_sequence(values: Sequence[Any]) -> str:
    """`[e, h, l, l, o] (strings)`; a constant sequence as `[v]*n`."""
    if len(values) > 1 and len(set(values)) == 1:
        shown = f"[{token_str(values[0])}]*{len(values)}"
    else:
        shown = "[" + ", ".join(token_str(v) for v in values) + "]"
    return f"{shown} ({sequence_type(values)})"


def format_selector(example: Any, matrix: Sequence[Sequence[Any]], indent: str = "") -> list[str]:
    """The selector's matrix: key tokens across, query tokens down, `1` per selected key."""
    tokens = [token_str(t) for t in example]  # a string's characters, or the list
    width = max(len(t) for t in tokens)
    header = indent + " " * (width + 3) + " ".join(t.rjust(width) for t in tokens)
    rows = [
        indent
        + query.rjust(width)
        + " | "
        + " ".join(("1" if selected else "").rjust(width) for selected in row)
        for query, row in zip(tokens, matrix)
    ]
    return [line.rstrip() for line in [header, *rows]]


def format_function(value: Function | Builtin) -> str:
    if isinstance(value, Builtin):
        plural = "" if value.arity == 1 else "s"
        return f"built-in {value.name} ({value.arity} argument{plural})"
    return f"def {value.name}({', '.join(value.params)})"


def format_plain(value: Any) -> str:
    """Any value in source-like form; s-ops and selectors by their name."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(format_plain(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{format_plain(k)}: {format_plain(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, (Function, Builtin)):
        return format_function(value)
    if isinstance(value, n.Node):
        return value.label or f"<unnamed {kind_of(value)}>"
    return str(value)


def expression_name(expr: ast.Expr) -> str:
    """The name a bare `e;` is shown under: the variable's own name, else `out` (as the REPL)."""
    return expr.id if isinstance(expr, ast.Name) else "out"


def applied(name: str, example: Any) -> str:
    """`name("hello")`, with a compound expression in parentheses: `(tokens + 1)("hello")`."""
    callee = name if _NAME.fullmatch(name) else f"({name})"
    return f"{callee}({format_plain(example)})"


def format_result(name: str, result: Value, example: Any) -> str:
    """A value already evaluated on `example`, as `rasp run` prints it."""
    if result.kind == "sop":
        return f"{applied(name, example)} = {format_sequence(result.value)}"
    if result.kind == "selector":
        lines = format_selector(example, result.value, indent="    ")
        return "\n".join([f"{applied(name, example)} =", *lines])
    return f"{name} = {format_plain(result.value)}"


def _indented(text: str, indent: str) -> str:
    return "\n".join(indent + line for line in text.splitlines())


def format_rows(example: Any, values: Sequence[Any]) -> list[str]:
    """An s-op's values under the input's tokens, column by column (`full seq display on`)."""
    tokens = [token_str(t) for t in example]
    shown = [token_str(v) for v in values]
    width = max(len(t) for t in [*tokens, *shown])
    return [
        f"{MATRIX_INDENT}input:  {' '.join(t.rjust(width) for t in tokens)}"
        f"   ({sequence_type(list(example))})",
        f"{MATRIX_INDENT}output: {' '.join(v.rjust(width) for v in shown)}"
        f"   ({sequence_type(values)})",
    ]


def describe(
    session: Session,
    name: str,
    value: Any,
    example: Any,
    *,
    show_example: bool = True,
    full: bool = False,
) -> str:
    """A named value as the REPL prints it, s-ops and selectors run on the example
    (unless `show_example` is off; `full` shows an s-op as input and output rows).

    A value that fails on the example is still shown, with the error, since the
    definition itself stands and may work on other inputs.
    """
    kind = kind_of(value)
    if kind == "function":
        return f"{LEAD}function: {format_function(value)}"
    if kind not in ("sop", "selector"):
        label = "value" if kind == "atom" else kind
        return f"{LEAD}{label}: {name} = {format_plain(value)}"
    header = f"{LEAD}{'s-op' if kind == 'sop' else 'selector'}: {name}"
    if not show_example:
        return header
    call = applied(name, example)
    try:
        result = session.value_on(value, example)
    except RaspError as err:
        return f"{header}\n{EXAMPLE} {call} fails:\n{_indented(str(err), MATRIX_INDENT)}"
    if kind == "sop" and full and len(set(result.value)) > 1:
        return "\n".join([header, f"{EXAMPLE} {call} =", *format_rows(example, result.value)])
    if kind == "sop":
        return f"{header}\n{EXAMPLE} {call} = {format_sequence(result.value)}"
    matrix = format_selector(example, result.value, MATRIX_INDENT)
    return "\n".join([header, f"{EXAMPLE} {call} =", *matrix])
