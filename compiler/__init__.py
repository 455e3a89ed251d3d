"""compiler: RASP programs to exact transformer weights (see DESIGN.md, "Compiler").

Stages, each a module: graph (lowering; the program as a networkx graph) ->
sampling (the program run on inputs: selector widths) -> basis (encodings, value
sets) -> plan (heads and MLPs per s-op) -> schedule (layers) -> assemble (weights
and layout). Beside them: values (atom order), tabulate (maps over value grids),
linear (affine maps), blocks, attention and mlp (building blocks), verify.
"""

from rasplab.compiler.compile import compile_program
from rasplab.compiler.compiled import CompiledModel
from rasplab.compiler.errors import CompileError
from rasplab.compiler.layout import Layout

__all__ = ["CompileError", "CompiledModel", "Layout", "compile_program"]
