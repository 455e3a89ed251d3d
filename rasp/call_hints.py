"""What a syntax error inside a call means, said in terms of that call.

The parser only knows that a token was unexpected (`unexpected '<'`, `expected
',', 'in'`); a person needs to hear that `slect` is not `select`, or that
`select` takes three arguments and how. This module finds the call the error
sits in (by re-reading the tokens before it) and words the error for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lark import Lark, Token
from lark.exceptions import LexError
from rasplab.rasp.signatures import ARITY, PRIMITIVES, SELECT_OPS, arity_text, nearest

COMPARISONS = frozenset(SELECT_OPS.split())


@dataclass(frozen=True)
class OpenCall:
    """The innermost unclosed `(` before the error: who is called, at which argument."""

    callee: str | None  # a name or primitive keyword before the '(', else None
    argument: int  # 0-based index of the argument being written


@dataclass(frozen=True)
class CallError:
    message: str
    hint: str


def open_call(tokens: Iterable[Token]) -> OpenCall | None:
    """The innermost open parenthesis among `tokens`; None outside any call or
    when a list or dict bracket is innermost."""
    stack: list[tuple[str, str | None, int]] = []  # (bracket, callee, commas)
    previous: Token | None = None
    for token in tokens:
        text = str(token)
        if text in "([{":
            callee = None
            named = previous is not None and (previous.type == "NAME" or previous in PRIMITIVES)
            if text == "(" and named:
                callee = str(previous)
            stack.append((text, callee, 0))
        elif text in ")]}" and stack:
            stack.pop()
        elif text == "," and stack:
            bracket, callee, commas = stack[-1]
            stack[-1] = (bracket, callee, commas + 1)
        previous = token
    if not stack or stack[-1][0] != "(":
        return None
    _, callee, commas = stack[-1]
    return OpenCall(callee, commas)


def tokens_before(lark: Lark, source: str, position: int) -> Iterator[Token]:
    """The tokens that start before `position` (lexing stops at the first bad character)."""
    try:
        for token in lark.lex(source):
            if token.start_pos is None or token.start_pos >= position:
                return
            yield token
    except LexError:
        return


def explain(token: str, expected: set[str], call: OpenCall | None) -> CallError | None:
    """A call-aware wording of `unexpected <token>`, or None when there is nothing to add."""
    if call is None or call.callee is None:
        return None
    callee = call.callee
    wants_expression = "NAME" in expected
    if token in COMPARISONS and wants_expression:
        return _misplaced_comparison(token, callee)
    if callee not in ARITY:
        return None
    low, high = ARITY[callee]
    written = call.argument + 1
    if token == ")" and wants_expression and call.argument == 0:  # `select()`
        return CallError(f"{callee} takes {arity_text(callee)}, none given", PRIMITIVES[callee])
    if token == ")" and not wants_expression and written < low:
        return CallError(
            f"{callee} takes {arity_text(callee)}, {written} given", PRIMITIVES[callee]
        )
    if token == "," and high is not None and written >= high:
        return CallError(f"{callee} takes {arity_text(callee)}, more given", PRIMITIVES[callee])
    if callee == "select" and call.argument == 2:
        return CallError(
            f"unexpected {token!r}: select's third argument is a comparison", PRIMITIVES["select"]
        )
    return None


def _misplaced_comparison(token: str, callee: str) -> CallError:
    if callee == "select":
        return CallError(
            f"unexpected {token!r}: the comparison is select's third argument",
            PRIMITIVES["select"],
        )
    if nearest(callee, ["select"]):
        return CallError(
            f"unexpected {token!r}: '{callee}' is not select",
            f"did you mean 'select'? {PRIMITIVES['select']}",
        )
    return CallError(
        f"unexpected {token!r}: a comparison on its own is an argument of select only",
        PRIMITIVES["select"],
    )
