"""The non-graph values of RASP: functions, scopes, and a value's kind name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rasplab.rasp import ast
from rasplab.rasp import nodes as n
from rasplab.rasp.errors import Span


@dataclass(eq=False)
class Function:
    """A user function: a closure that looks names up at call time."""

    name: str
    params: tuple[str, ...]
    body: tuple[ast.Stmt, ...]
    closure: Scope
    span: Span | None = None


@dataclass(eq=False)
class Builtin:
    """A function implemented in Python (`selector_width`, `numerical`, ...)."""

    name: str
    fn: Callable[..., Any]
    arity: int


@dataclass(eq=False)
class Scope:
    """Variables of one frame; lookups fall back to the parent."""

    parent: Scope | None = None
    vars: dict[str, Any] = field(default_factory=dict)

    def find(self, name: str) -> Scope | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return scope
            scope = scope.parent
        return None

    def visible_names(self) -> Iterator[str]:
        scope: Scope | None = self
        while scope is not None:
            yield from scope.vars
            scope = scope.parent

    def visible(self) -> dict[str, Any]:
        """Every name in reach with its value, an inner definition hiding an outer one."""
        chain: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return {name: value for frame in reversed(chain) for name, value in frame.vars.items()}


def kind_of(value: Any) -> str:
    """The kind name users see: sop, selector, atom, list, dict or function."""
    if isinstance(value, n.SOp):
        return "sop"
    if isinstance(value, n.Selector):
        return "selector"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, (Function, Builtin)):
        return "function"
    return "atom"
