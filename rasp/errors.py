"""One error type for everything the language rejects, located in the source.

Every parse, name, arity, type and input error is a `RaspError`, so the CLI and
the REPL can print it with `file:line:col`, the source line and a caret, and
never show a Python traceback.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A region of source text: 1-based line and column, end exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    source: str = field(default="", repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def source_line(self) -> str:
        lines = self.source.split("\n")  # the parser counts only \n as a line break
        return lines[self.line - 1] if 0 < self.line <= len(lines) else ""

    def caret(self) -> str:
        """The source line with a caret under the span (one line only)."""
        text = self.source_line()
        if not text:
            return f"    \n    {' ' * (self.col - 1)}^"
        width = self.end_col - self.col if self.end_line == self.line else len(text) - self.col + 1
        return f"    {text}\n    {' ' * (self.col - 1)}{'^' * max(1, width)}"


class RaspError(Exception):
    """A user-facing error with a location, the offending source and a hint."""

    def __init__(
        self,
        message: str,
        span: Span | None = None,
        hint: str | None = None,
        stack: tuple[Span, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.stack = stack

    def with_span(self, span: Span | None) -> RaspError:
        """Give a location to an error raised where none was known."""
        if self.span is None and span is not None:
            self.span = span
        return self

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        parts = [f"{where}error: {self.message}"]
        if self.span is not None and self.span.caret():
            parts.append(self.span.caret())
        for site in self.stack:
            parts.append(f"  called from {site}")
        if self.hint:
            parts.append(f"  hint: {self.hint}")
        return "\n".join(parts)


@contextmanager
def nesting_guard(limit: int = 6000) -> Iterator[None]:
    """Deeply nested programs (a sum of hundreds of terms) recurse in the parser and
    interpreter: allow more depth, and turn running out of it into a RaspError."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    except RecursionError:
        raise RaspError(
            "the program nests too deeply to evaluate",
            hint="split long expressions into named parts",
        ) from None
    finally:
        sys.setrecursionlimit(previous)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a misspelt name, or None."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=3, cutoff=0.6)
    if not close:
        return None
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
