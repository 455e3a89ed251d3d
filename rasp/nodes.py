"""The RASP computation graph: s-ops and selectors as nodes.

Evaluating a RASP expression never touches an input: it builds these nodes,
exactly as the reference REPL's s-ops are functions of the input. The graph is
what the interpreter evaluates in batches and what the compiler compiles.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from rasplab.rasp.errors import Span

_ids = itertools.count()

Atom = int | float | str | bool


class Node:
    """A value that depends on the input: an s-op or a selector."""

    kind: ClassVar[str] = "node"

    def __init__(self, span: Span | None = None, stack: tuple[Span, ...] = ()) -> None:
        self.uid = next(_ids)
        self.label: str | None = None
        self.span = span
        self.stack = stack
        self.encoding: str | None = None  # "numerical" | "categorical" | None (inferred)

    @property
    def children(self) -> tuple[Node, ...]:
        return ()

    def describe(self) -> str:
        """A one-line description of the operation, for listings and errors."""
        return self.kind

    def __repr__(self) -> str:
        name = self.label or f"#{self.uid}"
        return f"<{type(self).__name__} {name}>"


class SOp(Node):
    """A sequence operation: one value per position."""


class Selector(Node):
    """A boolean matrix: row = query position, column = key position."""


def _nodes(args: tuple[Any, ...]) -> tuple[Node, ...]:
    return tuple(a for a in args if isinstance(a, Node))


class Tokens(SOp):
    """The input, converted: `tokens_str`, `tokens_int`, ... (`asis`: unchanged)."""

    kind = "tokens"
    CONVERSIONS = ("str", "int", "float", "bool", "asis")

    def __init__(self, conversion: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.conversion = conversion
        self.label = f"tokens_{conversion}"

    def describe(self) -> str:
        return f"tokens_{self.conversion}"


class Indices(SOp):
    kind = "indices"

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.label = "indices"


class Const(SOp):
    """An atom lifted to an s-op: the same value at every position."""

    kind = "const"

    def __init__(self, value: Atom, **kw: Any) -> None:
        super().__init__(**kw)
        self.value = value

    def describe(self) -> str:
        return f"const {self.value!r}"


class Map(SOp):
    """An elementwise operation on s-ops, with atoms broadcast.

    `args` mixes nodes and atoms in operand order. Ops: the binary operators
    (`+ - * / % ^ == < <= > >= and or`), the unary ones (`not neg pos round
    indicator`), `ternary` (then, cond, else), `in` (s-op, list) and `lookup`
    (table, s-op) for indexing a list, string or dict by an s-op.
    """

    kind = "map"

    def __init__(self, op: str, args: tuple[Any, ...], **kw: Any) -> None:
        super().__init__(**kw)
        self.op = op
        self.args = args

    @property
    def children(self) -> tuple[Node, ...]:
        return _nodes(self.args)

    def describe(self) -> str:
        return f"map {self.op}"


class Aggregate(SOp):
    kind = "aggregate"

    def __init__(self, selector: Selector, sop: SOp, default: Atom = 0, **kw: Any) -> None:
        super().__init__(**kw)
        self.selector = selector
        self.sop = sop
        self.default = default

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.selector, self.sop)


class SelectorWidth(SOp):
    kind = "selector_width"

    def __init__(self, selector: Selector, **kw: Any) -> None:
        super().__init__(**kw)
        self.selector = selector

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.selector,)


class At(SOp):
    """`sop[i]` for an int i: position i copied everywhere (0 past the end)."""

    kind = "at"

    def __init__(self, sop: SOp, position: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.sop = sop
        self.position = position

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.sop,)

    def describe(self) -> str:
        return f"at [{self.position}]"


class Contains(SOp):
    """`atom in sop`: true everywhere when any position holds the atom."""

    kind = "contains"

    def __init__(self, sop: SOp, value: Atom, **kw: Any) -> None:
        super().__init__(**kw)
        self.sop = sop
        self.value = value

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.sop,)

    def describe(self) -> str:
        return f"contains {self.value!r}"


class Select(Selector):
    """`select(keys, queries, op)`: entry [q, k] is `keys[k] op queries[q]`."""

    kind = "select"
    OPS = ("==", "!=", "<", "<=", ">", ">=")

    def __init__(self, keys: SOp, queries: SOp, op: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.keys = keys
        self.queries = queries
        self.op = op

    @property
    def children(self) -> tuple[Node, ...]:
        return (self.keys, self.queries)

    def describe(self) -> str:
        return f"select {self.op}"


class SelectorLogic(Selector):
    """`and`, `or` of two selectors, `not` of one."""

    kind = "selector_logic"

    def __init__(self, op: str, args: tuple[Selector, ...], **kw: Any) -> None:
        super().__init__(**kw)
        self.op = op
        self.args = args

    @property
    def children(self) -> tuple[Node, ...]:
        return self.args

    def describe(self) -> str:
        return f"selector {self.op}"


def topological_order(outputs: list[Node]) -> list[Node]:
    """Every node the outputs depend on, each after its children."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(node, False) for node in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node.uid in seen:
            continue
        seen.add(node.uid)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.children) if child.uid not in seen)
    return order
