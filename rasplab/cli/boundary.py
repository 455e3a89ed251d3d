"""The one guarded boundary around every subcommand, and the JSON they print.

Whatever a handler raises ends here as a one-line message on stderr and exit status 1
(never a traceback): RaspError as the language prints it, an OSError with its file and
reason, memory or nesting as rasp.guard words them, and anything else named as a bug
to report. A closed pipe (`rasp tasks | head`) ends the command quietly with status
141, as a process killed by SIGPIPE would.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from rasplab.rasp.guard import failure_message

BROKEN_PIPE = 141
INTERRUPTED = 130


def run_guarded(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """The handler's exit status, or 1 after a one-line error."""
    try:
        return handler(args)
    except BrokenPipeError:
        _detach_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        print("rasp: interrupted", file=sys.stderr)
        return INTERRUPTED
    except OSError as err:
        print(f"error: {os_error_text(err)}", file=sys.stderr)
        return 1
    except Exception as err:  # MemoryError, RecursionError and bugs: see failure_message
        print(failure_message(err), file=sys.stderr)
        return 1


def os_error_text(err: OSError) -> str:
    """'reason: file', without 'None' when the OS named no file."""
    reason = err.strerror or str(err)
    name = err.filename
    if name is None or str(name) in reason:
        return reason
    return f"{reason}: {name}"


def _detach_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush into the closed
    pipe raises nothing more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)



