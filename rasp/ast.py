"""The abstract syntax tree: small dataclasses, each with its source span.

Spans are excluded from equality so that a pretty-printed program parsed back
compares equal to the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rasplab.rasp.errors import Span


@dataclass(frozen=True)
class Node:
    span: Span | None = field(default=None, compare=False, repr=False, kw_only=True)


# ---- expressions -------------------------------------------------------------------


@dataclass(frozen=True)
class Expr(Node):
    pass


@dataclass(frozen=True)
class Num(Expr):
    value: int | float


@dataclass(frozen=True)
class Str(Expr):
    value: str


@dataclass(frozen=True)
class Name(Expr):
    id: str


@dataclass(frozen=True)
class ListLit(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class DictLit(Expr):
    keys: tuple[Expr, ...]
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class ListComp(Expr):
    element: Expr
    targets: tuple[str, ...]
    iterable: Expr


@dataclass(frozen=True)
class DictComp(Expr):
    key: Expr
    value: Expr
    targets: tuple[str, ...]
    iterable: Expr


@dataclass(frozen=True)
class UnaryOp(Expr):
    """`not`, `-`, `+`, `round`, `indicator` applied to one operand."""

    op: str
    operand: Expr


@dataclass(frozen=True)
class BinOp(Expr):
    """Arithmetic, comparison, `and`/`or` and `in`."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Ternary(Expr):
    then: Expr
    cond: Expr
    orelse: Expr


@dataclass(frozen=True)
class Index(Expr):
    target: Expr
    index: Expr


@dataclass(frozen=True)
class Call(Expr):
    func: Expr
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class BuiltinCall(Expr):
    """`range`, `zip` and `len`, which are keywords in RASP."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Select(Expr):
    keys: Expr
    queries: Expr
    op: str


@dataclass(frozen=True)
class Aggregate(Expr):
    selector: Expr
    sop: Expr
    default: Expr | None = None


# ---- statements --------------------------------------------------------------------


@dataclass(frozen=True)
class Stmt(Node):
    pass


@dataclass(frozen=True)
class ExprStmt(Stmt):
    expr: Expr


@dataclass(frozen=True)
class Assign(Stmt):
    targets: tuple[str, ...]
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class FuncDef(Stmt):
    name: str
    params: tuple[str, ...]
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Return(Stmt):
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class For(Stmt):
    targets: tuple[str, ...]
    iterable: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True)
class Load(Stmt):
    path: str


@dataclass(frozen=True)
class Module(Node):
    body: tuple[Stmt, ...]
