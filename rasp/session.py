"""The user-facing entry point: a `Session` holds the REPL's state.

`Session.exec` runs statements, `Session.eval` evaluates an expression on one
input, `Session.program` hands a named s-op to the compiler or the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rasplab.rasp import ast, limits
from rasplab.rasp import nodes as n
from rasplab.rasp.errors import RaspError, Span, did_you_mean, nesting_guard
from rasplab.rasp.interpreter import Interpreter
from rasplab.rasp.parser import KEYWORDS, parse, parse_expr
from rasplab.rasp.program import Program
from rasplab.rasp.values import Builtin, Scope, kind_of

LIB_DIR = Path(str(resources.files("rasplab.rasp").joinpath("lib")))


@dataclass(frozen=True)
class Value:
    """A result as users see it: kind ("sop", "selector", "atom", ...) and value."""

    kind: str
    value: Any


def _selector_width(sel: Any, span: Span | None, stack: tuple[Span, ...]) -> n.SOp:
    if not isinstance(sel, n.Selector):
        raise RaspError(f"selector_width needs a selector, not a {kind_of(sel)}", span)
    return n.SelectorWidth(sel, span=span, stack=stack)


def _encoding(name: str):
    def mark(value: Any, span: Span | None, stack: tuple[Span, ...]) -> n.SOp:
        if not isinstance(value, n.SOp):
            raise RaspError(f"{name}() marks an s-op, not a {kind_of(value)}", span)
        value.encoding = name
        return value

    return mark


def _primitives() -> dict[str, Any]:
    tokens = {f"tokens_{c}": n.Tokens(c) for c in n.Tokens.CONVERSIONS}
    return {
        **tokens,
        "tokens": tokens["tokens_str"],
        "indices": n.Indices(),
        "True": True,
        "False": False,
        "selector_width": Builtin("selector_width", _selector_width, 1),
        "numerical": Builtin("numerical", _encoding("numerical"), 1),
        "categorical": Builtin("categorical", _encoding("categorical"), 1),
    }


def read_source(path: str | Path) -> str:
    """A .rasp file's text, or a RaspError saying why it cannot be read (no traceback)."""
    path = Path(path)
    try:
        source = path.read_text()
    except OSError as err:
        raise RaspError(f"cannot read {path}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise RaspError(f"cannot read {path}: not UTF-8 text") from None
    limits.check(f"{path}'s length", len(source), limits.LIMITS.source_chars, " characters")
    return source


@cache
def _library_module() -> ast.Module:
    """The REPL library's AST, parsed once per process: parsing it is nearly all the cost
    of a new Session, and the AST is immutable, so every Session can run the same one."""
    path = LIB_DIR / "rasplib.rasp"
    return parse(path.read_text(), str(path))


class Session:
    """Built-ins and the REPL library, then the user's own definitions."""

    def __init__(self) -> None:
        self.library = Scope(vars=_primitives())
        self.interpreter = Interpreter(self.library, frozenset(), LIB_DIR)
        self.interpreter.run_module(_library_module(), self.library)
        protected = (set(self.library.vars) | KEYWORDS) - {"tokens", "out"}
        self.interpreter.protected = frozenset(protected)
        self.globals = Scope(parent=self.library)
        self.globals.vars["tokens"] = self.library.vars["tokens"]

    def exec(self, source: str, file: str = "<input>") -> Any:
        """Run statements; returns the value of the last bare expression (or None)."""
        limits.check(f"{file}'s length", len(source), limits.LIMITS.source_chars, " characters")
        with nesting_guard():
            return self.interpreter.run_module(parse(source, file), self.globals)

    def exec_file(self, path: str | Path) -> Any:
        """Run a .rasp file (errors located in it); returns what `exec` returns."""
        return self.exec(read_source(path), str(path))

    def evaluate_expr(self, expr: str, file: str = "<expr>") -> Any:
        """The value of one expression in this session (an s-op stays a graph node)."""
        limits.check(f"{file}'s length", len(expr), limits.LIMITS.source_chars, " characters")
        with nesting_guard():
            return self.interpreter.eval(parse_expr(expr, file), self.globals)

    def eval(self, expr: str, input: Any = None) -> Value:
        """Evaluate an expression; s-ops and selectors are run on `input`."""
        value = self.evaluate_expr(expr)
        return self.value_on(value, input)

    def value_on(self, value: Any, input: Any) -> Value:
        """A value as seen on one input: s-ops and selectors are evaluated there."""
        if isinstance(value, n.Node):
            if input is None:
                raise RaspError("an input is needed to evaluate an s-op or selector")
            with nesting_guard():
                result = self.interpreter.call(value, [input], None)
            return Value(kind_of(value), result)
        return Value(kind_of(value), value)

    def get(self, name: str) -> Any:
        scope = self.globals.find(name)
        if scope is None:
            raise RaspError(f"unknown name '{name}'", hint=did_you_mean(name, self.names()))
        return scope.vars[name]

    def names(self) -> list[str]:
        return sorted(set(self.globals.visible_names()))

    def user_names(self) -> list[str]:
        """Names defined in this session (not the library's)."""
        return [k for k in self.globals.vars if k not in ("tokens", "out")]

    def program(self, name: str) -> Program:
        """The named s-op as a Program (a graph of RASP nodes)."""
        value = self.get(name)
        if not isinstance(value, n.SOp):
            raise RaspError(
                f"'{name}' is a {kind_of(value)}, not an s-op; a program outputs an s-op"
            )
        return Program(value, name)
