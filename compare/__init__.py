"""compare: does a trained model implement a RASP hypothesis? (see DESIGN.md, "Compare")."""

from rasplab.compare.adapter import CompareError
from rasplab.compare.assess import Settings
from rasplab.compare.compare import compare
from rasplab.compare.result import Report
from rasplab.compare.rival import rival_program
from rasplab.compare.verdict import Thresholds

__all__ = ["CompareError", "Report", "Settings", "Thresholds", "compare", "rival_program"]

# `rasplab.compare(...)` calls compare() (see rasplab.callable_module)
from rasplab.callable_module import make_callable

make_callable(__name__, compare)
