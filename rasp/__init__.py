"""rasp: the RASP language (Weiss et al. 2021): parser, batched interpreter with
interventions, standard library, REPL and CLI."""

from rasp.errors import RaspError, Span
from rasp.parser import parse, parse_expr
from rasp.program import Program, Trace
from rasp.session import Session, Value

__all__ = ["Program", "RaspError", "Session", "Span", "Trace", "Value", "parse", "parse_expr"]
