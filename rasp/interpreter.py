"""Executes RASP statements: scopes, functions, loops, `load`, and the
expression rules that turn operators on s-ops into graph nodes.

Atoms, lists and dicts are computed at once with Python's meaning; anything
involving an s-op or selector builds a node in `rasp.nodes`, evaluated later on
inputs by `rasp.evaluate`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rasplab.rasp import ast, limits
from rasplab.rasp import nodes as n
from rasplab.rasp.errors import RaspError, Span
from rasplab.rasp.evaluate import check_input, evaluate_nodes
from rasplab.rasp.ops import PY_BINARY, is_atom
from rasplab.rasp.parser import parse
from rasplab.rasp.signatures import name_hint
from rasplab.rasp.values import Builtin, Function, Scope, kind_of

MAX_CALL_DEPTH = 100
_UNARY_NODE_OPS = {"-": "neg", "+": "pos", "not": "not", "round": "round", "indicator": "indicator"}


class _ReturnSignal(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _atom_unary(op: str, value: Any) -> Any:
    if op == "not":
        return not value
    if op == "indicator":
        return 1 if value else 0
    fn: Callable[[Any], Any] = {"-": operator.neg, "+": operator.pos, "round": round}[op]
    return fn(value)


class Interpreter:
    """Runs parsed modules in scopes; `protected` names cannot be rebound."""

    def __init__(self, library: Scope, protected: frozenset[str], lib_dir: Path) -> None:
        self.library = library
        self.protected = protected
        self.lib_dir = lib_dir
        self.call_sites: list[Span] = []
        self.loading: list[Path] = []
        self.loaded: dict[str, Path] = {}  # what each `load "x";` resolved to, last
        self.last_value: Any = None

    # ---- statements ------------------------------------------------------------------

    def run_module(self, module: ast.Module, scope: Scope) -> Any:
        """Execute statements; returns the value of the last bare expression."""
        self.last_value = None
        for stmt in module.body:
            self.exec_stmt(stmt, scope, in_function=False)
            if isinstance(stmt, ast.ExprStmt):
                self.last_value = scope.vars["out"]
        return self.last_value

    def exec_block(self, body: tuple[ast.Stmt, ...], scope: Scope, in_function: bool) -> None:
        for stmt in body:
            self.exec_stmt(stmt, scope, in_function)

    def exec_stmt(self, stmt: ast.Stmt, scope: Scope, in_function: bool) -> None:
        if isinstance(stmt, ast.ExprStmt):
            scope.vars["out"] = self.eval(stmt.expr, scope)
        elif isinstance(stmt, ast.Assign):
            self._assign(stmt, scope)
        elif isinstance(stmt, ast.FuncDef):
            self.check_bindable(stmt.name, stmt.span)
            fn = Function(stmt.name, stmt.params, stmt.body, scope, stmt.span)
            self.bind(scope, stmt.name, fn)
        elif isinstance(stmt, ast.Return):
            if not in_function:
                raise RaspError("'return' outside a function", stmt.span)
            values = [self.eval(v, scope) for v in stmt.values]
            raise _ReturnSignal(values[0] if len(values) == 1 else values)
        elif isinstance(stmt, ast.For):
            self._for(stmt, scope, in_function)
        elif isinstance(stmt, ast.Load):
            self._load(stmt, scope)
        else:  # pragma: no cover - the parser makes no other statements
            raise RaspError(f"unknown statement {type(stmt).__name__}", stmt.span)

    def _assign(self, stmt: ast.Assign, scope: Scope) -> None:
        for name in stmt.targets:
            self.check_bindable(name, stmt.span)
        values = [self.eval(v, scope) for v in stmt.values]
        targets = stmt.targets
        if len(targets) > 1 and len(values) == 1:
            values = self._unpack(values[0], len(targets), stmt.span)
        if len(values) != len(targets):
            raise RaspError(
                f"{len(targets)} names but {len(values)} values in the assignment", stmt.span
            )
        for name, value in zip(targets, values):
            self.bind(scope, name, value)

    @staticmethod
    def _unpack(value: Any, count: int, span: Span | None) -> list[Any]:
        if not isinstance(value, list):
            raise RaspError(f"cannot unpack a {kind_of(value)} into {count} names", span)
        if len(value) != count:
            raise RaspError(f"cannot unpack {len(value)} values into {count} names", span)
        return list(value)

    def _iterate(self, iterable: Any, span: Span | None) -> list[Any]:
        if isinstance(iterable, dict):
            return list(iterable)
        if isinstance(iterable, (list, str)):
            return list(iterable)
        raise RaspError(f"can only loop over a list or a dict, not a {kind_of(iterable)}", span)

    def _bind_targets(self, scope: Scope, targets: tuple[str, ...], item: Any, span: Span | None):
        values = [item] if len(targets) == 1 else self._unpack(item, len(targets), span)
        for name, value in zip(targets, values):
            self.check_bindable(name, span)
            self.bind(scope, name, value)

    def _for(self, stmt: ast.For, scope: Scope, in_function: bool) -> None:
        for item in self._iterate(self.eval(stmt.iterable, scope), stmt.iterable.span):
            self._bind_targets(scope, stmt.targets, item, stmt.span)
            self.exec_block(stmt.body, scope, in_function)

    def resolve_load(self, path: str, span: Span | None) -> Path:
        """The file `load path;` means: beside the loading file (the current directory
        for the REPL and --expr), else the library; never the current directory for a
        file elsewhere, so a program means the same wherever it is run from."""
        name = path if path.endswith(".rasp") else path + ".rasp"
        in_file = span is not None and span.file and not span.file.startswith("<")
        bases = [Path(span.file).parent if in_file else Path.cwd(), self.lib_dir]
        for base in bases:
            candidate = base / name
            if candidate.is_file():
                return candidate.resolve()
        searched = ", ".join(str(b) for b in bases)
        raise RaspError(f"cannot load {path!r}: no file {name} in {searched}", span)

    def _load(self, stmt: ast.Load, scope: Scope) -> None:
        path = self.resolve_load(stmt.path, stmt.span)
        if path == (self.lib_dir / "rasplib.rasp").resolve():
            return  # the REPL library is loaded in every session already
        if path in self.loading:
            raise RaspError(f"circular load of {path.name}", stmt.span)
        try:
            source = path.read_text()
        except OSError as err:
            raise RaspError(f"cannot read {path}: {err.strerror}", stmt.span) from None
        limits.check(f"{path}'s length", len(source), limits.LIMITS.source_chars, " characters")
        self.loaded[stmt.path] = path
        fresh = Scope(parent=self.library)
        self.loading.append(path)
        saved = self.last_value
        try:
            self.run_module(parse(source, str(path)), fresh)
        finally:
            self.loading.pop()
            self.last_value = saved
        for name, value in fresh.vars.items():
            if not name.startswith("_") and name != "out":
                self.bind(scope, name, value)

    def check_bindable(self, name: str, span: Span | None) -> None:
        if name in self.protected:
            raise RaspError(
                f"'{name}' is a built-in or library name and cannot be redefined",
                span,
                "choose another name",
            )

    @staticmethod
    def bind(scope: Scope, name: str, value: Any) -> None:
        """Bind a name; an unnamed s-op or selector takes the name as its label."""
        if isinstance(value, n.Node) and value.label is None:
            value.label = name
        scope.vars[name] = value

    # ---- expressions -----------------------------------------------------------------

    def node_kw(self, span: Span | None) -> dict[str, Any]:
        return {"span": span, "stack": tuple(reversed(self.call_sites))}

    def eval(self, expr: ast.Expr, scope: Scope) -> Any:
        method = getattr(self, "_eval_" + type(expr).__name__)
        return method(expr, scope)

    def _eval_Num(self, expr: ast.Num, scope: Scope) -> Any:
        return expr.value

    def _eval_Str(self, expr: ast.Str, scope: Scope) -> Any:
        return expr.value

    def _eval_Name(self, expr: ast.Name, scope: Scope) -> Any:
        found = scope.find(expr.id)
        if found is None:
            hint = name_hint(expr.id, scope.visible())
            raise RaspError(f"unknown name '{expr.id}'", expr.span, hint)
        return found.vars[expr.id]

    def _eval_ListLit(self, expr: ast.ListLit, scope: Scope) -> Any:
        return [self.eval(item, scope) for item in expr.items]

    def _dict_key(self, expr: ast.Expr, value: Any) -> Any:
        if not is_atom(value):
            raise RaspError(f"a dict key must be an atom, not a {kind_of(value)}", expr.span)
        return value

    def _eval_DictLit(self, expr: ast.DictLit, scope: Scope) -> Any:
        return {
            self._dict_key(k, self.eval(k, scope)): self.eval(v, scope)
            for k, v in zip(expr.keys, expr.values)
        }

    def _comprehension(self, targets, iterable: ast.Expr, scope: Scope, span):
        inner = Scope(parent=scope)
        for item in self._iterate(self.eval(iterable, scope), iterable.span):
            self._bind_targets(inner, targets, item, span)
            yield inner

    def _eval_ListComp(self, expr: ast.ListComp, scope: Scope) -> Any:
        return [
            self.eval(expr.element, inner)
            for inner in self._comprehension(expr.targets, expr.iterable, scope, expr.span)
        ]

    def _eval_DictComp(self, expr: ast.DictComp, scope: Scope) -> Any:
        result = {}
        for inner in self._comprehension(expr.targets, expr.iterable, scope, expr.span):
            result[self._dict_key(expr.key, self.eval(expr.key, inner))] = self.eval(
                expr.value, inner
            )
        return result

    def _eval_UnaryOp(self, expr: ast.UnaryOp, scope: Scope) -> Any:
        value = self.eval(expr.operand, scope)
        if isinstance(value, n.SOp):
            return n.Map(_UNARY_NODE_OPS[expr.op], (value,), **self.node_kw(expr.span))
        if isinstance(value, n.Selector):
            if expr.op != "not":
                raise RaspError(f"'{expr.op}' cannot be applied to a selector", expr.span)
            return n.SelectorLogic("not", (value,), **self.node_kw(expr.span))
        if expr.op != "not" and not is_atom(value):
            raise RaspError(f"'{expr.op}' cannot be applied to a {kind_of(value)}", expr.span)
        try:
            return _atom_unary(expr.op, value)
        except Exception as err:  # Python's own error for these atoms
            raise RaspError(f"'{expr.op}' fails on {value!r}: {err}", expr.span) from None

    def _eval_BinOp(self, expr: ast.BinOp, scope: Scope) -> Any:
        left = self.eval(expr.left, scope)
        right = self.eval(expr.right, scope)
        if expr.op == "in":
            return self._in(expr, left, right)
        selectors = [isinstance(v, n.Selector) for v in (left, right)]
        if any(selectors):
            if expr.op in ("and", "or") and all(selectors):
                return n.SelectorLogic(expr.op, (left, right), **self.node_kw(expr.span))
            raise RaspError(
                f"'{expr.op}' cannot combine a {kind_of(left)} and a {kind_of(right)}"
                + (" (selectors combine only with selectors)" if expr.op in ("and", "or") else ""),
                expr.span,
            )
        if isinstance(left, n.SOp) or isinstance(right, n.SOp):
            for value in (left, right):
                if not isinstance(value, n.SOp) and not is_atom(value):
                    raise RaspError(
                        f"'{expr.op}' cannot combine an s-op with a {kind_of(value)}", expr.span
                    )
            return n.Map(expr.op, (left, right), **self.node_kw(expr.span))
        if expr.op == "and":
            return left and right
        if expr.op == "or":
            return left or right
        try:
            return PY_BINARY[expr.op](left, right)
        except Exception as err:  # Python's own error for these values
            raise RaspError(
                f"'{expr.op}' fails on {left!r} and {right!r}: {err}", expr.span
            ) from None

    def _in(self, expr: ast.BinOp, left: Any, right: Any) -> Any:
        if isinstance(right, n.SOp):
            if not is_atom(left):
                raise RaspError(
                    f"'in' an s-op needs an atom on the left, not a {kind_of(left)}", expr.span
                )
            return n.Contains(right, left, **self.node_kw(expr.span))
        if isinstance(right, list):
            if isinstance(left, n.SOp):
                return n.Map("in", (left, list(right)), **self.node_kw(expr.span))
            if is_atom(left):
                return left in right
        if isinstance(right, str) and isinstance(left, str):
            return left in right
        raise RaspError(
            f"'in' is not defined for a {kind_of(left)} in a {kind_of(right)}", expr.span
        )

    def _eval_Ternary(self, expr: ast.Ternary, scope: Scope) -> Any:
        cond = self.eval(expr.cond, scope)
        if isinstance(cond, n.Selector):
            raise RaspError("a selector cannot be a condition", expr.cond.span)
        if not isinstance(cond, n.SOp):
            return self.eval(expr.then if cond else expr.orelse, scope)
        then = self.eval(expr.then, scope)
        orelse = self.eval(expr.orelse, scope)
        for branch, sub in ((then, expr.then), (orelse, expr.orelse)):
            if not isinstance(branch, n.SOp) and not is_atom(branch):
                raise RaspError(
                    f"a branch of an s-op conditional must be an s-op or an atom, not a "
                    f"{kind_of(branch)}",
                    sub.span,
                )
        return n.Map("ternary", (then, cond, orelse), **self.node_kw(expr.span))

    def _eval_Index(self, expr: ast.Index, scope: Scope) -> Any:
        target = self.eval(expr.target, scope)
        index = self.eval(expr.index, scope)
        if isinstance(target, n.SOp):
            if type(index) is not int:
                raise RaspError(
                    f"an s-op can only be indexed by an int, not a {kind_of(index)}",
                    expr.index.span,
                    "to move values between positions use select and aggregate",
                )
            return n.At(target, index, **self.node_kw(expr.span))
        if not isinstance(target, (list, dict, str)):
            raise RaspError(f"a {kind_of(target)} cannot be indexed", expr.span)
        if isinstance(index, n.SOp):
            table = dict(target) if isinstance(target, dict) else target
            return n.Map("lookup", (table, index), **self.node_kw(expr.span))
        try:
            return target[index]
        except (IndexError, KeyError, TypeError) as err:
            raise RaspError(f"indexing fails: {err!r}", expr.span) from None

    def _eval_Call(self, expr: ast.Call, scope: Scope) -> Any:
        func = self.eval(expr.func, scope)
        args = [self.eval(a, scope) for a in expr.args]
        return self.call(func, args, expr.span)

    def call(self, func: Any, args: list[Any], span: Span | None) -> Any:
        if isinstance(func, Function):
            return self._call_function(func, args, span)
        if isinstance(func, Builtin):
            if len(args) != func.arity:
                raise RaspError(
                    f"{func.name}() takes {func.arity} argument(s), {len(args)} given", span
                )
            try:
                return func.fn(*args, **self.node_kw(span))
            except RaspError as err:
                raise err.with_span(span) from None
        if isinstance(func, n.Node):
            if len(args) != 1:
                raise RaspError("an s-op or selector is applied to exactly one input", span)
            try:
                tokens = check_input(args[0])
                limits.check_input_length(len(tokens))
                return evaluate_nodes([func], [tokens])[0][0]
            except RaspError as err:
                raise err.with_span(span) from None
        raise RaspError(f"a {kind_of(func)} is not callable", span)

    def _call_function(self, func: Function, args: list[Any], span: Span | None) -> Any:
        if len(args) != len(func.params):
            raise RaspError(
                f"{func.name}() takes {len(func.params)} argument(s) "
                f"({', '.join(func.params)}), {len(args)} given",
                span,
            )
        if len(self.call_sites) >= MAX_CALL_DEPTH:
            raise RaspError(f"calls nested deeper than {MAX_CALL_DEPTH} (runaway recursion?)", span)
        frame = Scope(parent=func.closure)
        for name, value in zip(func.params, args):
            self.check_bindable(name, func.span)
            frame.vars[name] = value
        if span is not None:
            self.call_sites.append(span)
        try:
            self.exec_block(func.body, frame, in_function=True)
        except _ReturnSignal as signal:
            return signal.value
        finally:
            if span is not None:
                self.call_sites.pop()
        raise RaspError(f"function '{func.name}' ended without 'return'", func.span)

    def _eval_BuiltinCall(self, expr: ast.BuiltinCall, scope: Scope) -> Any:
        args = [self.eval(a, scope) for a in expr.args]
        try:
            if expr.name == "range":
                if not 1 <= len(args) <= 3 or not all(type(a) is int for a in args):
                    raise RaspError("range() takes 1 to 3 ints", expr.span)
                items = range(*args)
                length = max(0, -((items.start - items.stop) // items.step))  # len() overflows
                limits.check("range()'s length", length, limits.LIMITS.range_items, " items")
                return list(items)
            if expr.name == "zip":
                if not args or not all(isinstance(a, (list, str, dict)) for a in args):
                    raise RaspError("zip() takes one or more lists", expr.span)
                return [list(t) for t in zip(*args)]
            if len(args) != 1 or not isinstance(args[0], (list, str, dict)):
                raise RaspError("len() takes one list (use 'length' for an s-op)", expr.span)
            return len(args[0])
        except ValueError as err:
            raise RaspError(f"{expr.name}() fails: {err}", expr.span) from None

    def _lift(self, value: Any, span: Span | None, what: str) -> n.SOp:
        if isinstance(value, n.SOp):
            return value
        if is_atom(value):
            return n.Const(value, **self.node_kw(span))
        raise RaspError(f"{what} must be an s-op or an atom, not a {kind_of(value)}", span)

    def _eval_Select(self, expr: ast.Select, scope: Scope) -> Any:
        keys = self._lift(self.eval(expr.keys, scope), expr.keys.span, "select's keys")
        queries = self._lift(self.eval(expr.queries, scope), expr.queries.span, "select's queries")
        return n.Select(keys, queries, expr.op, **self.node_kw(expr.span))

    def _eval_Aggregate(self, expr: ast.Aggregate, scope: Scope) -> Any:
        selector = self.eval(expr.selector, scope)
        if not isinstance(selector, n.Selector):
            raise RaspError(
                f"aggregate needs a selector first, not a {kind_of(selector)}", expr.selector.span
            )
        sop = self._lift(self.eval(expr.sop, scope), expr.sop.span, "aggregate's values")
        default: Any = 0
        if expr.default is not None:
            default = self.eval(expr.default, scope)
            if not is_atom(default):
                raise RaspError(
                    f"aggregate's default must be an atom, not a {kind_of(default)}",
                    expr.default.span,
                )
        return n.Aggregate(selector, sop, default, **self.node_kw(expr.span))
