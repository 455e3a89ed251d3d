"""compare: does a trained model implement a RASP hypothesis? (see DESIGN.md, "Compare")."""

from rasplab.compare.adapter import CompareError
from rasplab.compare.compare import Settings, compare
from rasplab.compare.rival import rival_program
from rasplab.compare.verdict import Thresholds

__all__ = ["CompareError", "Settings", "Thresholds", "compare", "rival_program"]

# `rasplab.compare(...)` calls compare() (see rasplab.callable_module)
from rasplab.callable_module import make_callable

make_callable(__name__, compare)
