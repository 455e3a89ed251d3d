"""What the user reads when work fails for a reason Python, not RASP, detects.

The REPL and the `rasp` command each run user requests inside one guard; whatever
escapes the language's own checks (RaspError) ends up here as a one-line message
instead of a traceback: a value too large to print, nesting too deep to print, memory
running out, or a bug in rasplab (named as one, to be reported).
"""

from __future__ import annotations

import sys

from rasplab.rasp.errors import RaspError


def failure_message(err: BaseException) -> str:
    """One line (or a RaspError's located message) saying what went wrong."""
    if isinstance(err, RaspError):
        return str(err)
    if isinstance(err, MemoryError):
        return "error: out of memory; try a shorter input or a smaller program"
    if isinstance(err, RecursionError):
        return "error: the value nests too deeply to evaluate or print"
    if isinstance(err, ValueError) and "integer string conversion" in str(err):
        digits = sys.get_int_max_str_digits()
        return f"error: a number has more than {digits} digits, too many to print"
    if isinstance(err, OverflowError):
        return f"error: a number is too large: {err}"
    detail = str(err).splitlines()[0] if str(err) else ""
    return f"internal error: {type(err).__name__}: {detail} (please report this)"
