"""Compile errors name the s-op and its source line, like every rasp error."""

from __future__ import annotations

from rasp import RaspError
from rasp.nodes import Node


class CompileError(RaspError):
    """A program (or one of its s-ops) that cannot be compiled exactly."""


def compile_error(node: Node, name: str, message: str, hint: str | None = None) -> CompileError:
    return CompileError(f"cannot compile '{name}': {message}", node.span, hint, node.stack)
