"""compare: does a trained model implement a RASP hypothesis? (see DESIGN.md, "Compare")."""

from compare.adapter import CompareError
from compare.compare import Settings, compare
from compare.verdict import Thresholds

__all__ = ["CompareError", "Settings", "Thresholds", "compare"]
