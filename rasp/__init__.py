"""rasp: the RASP language (Weiss et al. 2021): parser, batched interpreter with
interventions, standard library, REPL and CLI."""

from rasplab.rasp.errors import RaspError, Span
from rasplab.rasp.parser import parse, parse_expr
from rasplab.rasp.program import Program, Trace
from rasplab.rasp.session import Session, Value

__all__ = ["Program", "RaspError", "Session", "Span", "Trace", "Value", "parse", "parse_expr"]
