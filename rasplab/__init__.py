"""rasplab: RASP hypotheses, compiled and trained transformers, and whether one
implements the other.

The front door. Names load on first use, so `import rasplab` (and `rasp run`)
never pays for torch:

    import rasplab
    s = rasplab.Session()
    cm = rasplab.compile_program(s.program("sorted"), vocab=[1, 2, 3], max_len=5)
    result = rasplab.train(rasplab.TrainConfig("sort5", out_dir="runs/sort5"))
    report = rasplab.compare(rasplab.load(result.checkpoint), program, task)

The stages live under this namespace: `rasplab.rasp` (the language),
`rasplab.compiler`, `rasplab.tasks`, `rasplab.compare`, and beside them
`rasplab.model` (the one Transformer), `rasplab.train`, `rasplab.analysis` and `rasplab.cli`.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> module that defines it
_EXPORTS = {
    "Session": "rasplab.rasp",
    "Program": "rasplab.rasp",
    "Trace": "rasplab.rasp",
    "RaspError": "rasplab.rasp",
    "compile_program": "rasplab.compiler",
    "CompiledModel": "rasplab.compiler",
    "CompileError": "rasplab.compiler",
    "Transformer": "rasplab.model",
    "TransformerConfig": "rasplab.model",
    "load": "rasplab.model",
    "TrainConfig": "rasplab.train",
    "Settings": "rasplab.compare",
    "get_task": "rasplab.tasks",
}
_RENAMED = {"get_task": "get"}
# `compare` and `train` are packages that can be called as their main function
# (rasplab.callable_module says why).
_SUBPACKAGES = {"rasp", "compiler", "tasks", "model", "cli", "compare", "train", "analysis"}

__all__ = sorted([*_EXPORTS, "compare", "train"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(_EXPORTS[name])
        value = getattr(module, _RENAMED.get(name, name))
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"rasplab.{name}")
    raise AttributeError(f"module 'rasplab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*__all__, *_SUBPACKAGES])
