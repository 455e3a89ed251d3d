"""Compile errors name the s-op and its source line, like every rasp error."""

from __future__ import annotations

from rasplab.rasp import RaspError
from rasplab.rasp.nodes import Node


class CompileError(RaspError):
    """A program (or one of its s-ops) that cannot be compiled exactly."""


def compile_error(node: Node, name: str, message: str, hint: str | None = None) -> CompileError:
    return CompileError(f"cannot compile '{name}': {message}", node.span, hint, node.stack)
