"""The reference REPL's own commands, recognised in a line of input.

These are not RASP statements (most take no ';'): `set [s-op|selector] example
E`, `show [s-op|selector] example`, `full seq display on|off`, `[s-op|selector]
examples on|off`, `draw(sop[, input]);`, `exit`, `exit()`, `quit`, `quit()`,
plus `help`. A line that starts like a command but matches none is a mistyped
command, reported at once: left to the statement reader, it would wait for a
';' and swallow the next line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUBSETS = ("s-op", "selector")

COMMANDS = """\
  set [s-op|selector] example E    run s-ops and/or selectors on E ("hello", [1, 2])
  show [s-op|selector] example     print the running example(s)
  [s-op|selector] examples on|off  show new values on the example, or not
  full seq display on|off          s-ops as input and output rows
  draw(sop); draw(sop, input);     the s-op's computation flow (text and an SVG file)
  help                             this text
  exit, exit(), quit, quit()       leave (or Ctrl-D)"""

_SUBSET = r"(?:(s-op|selector)\s+)?"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "exit": re.compile(r"(?:exit|quit)(?:\(\s*\))?"),
    "help": re.compile(r"help"),
    "set": re.compile(rf"set\s+{_SUBSET}example\s+(.+)", re.DOTALL),
    "show": re.compile(rf"show\s+{_SUBSET}example"),
    "examples": re.compile(rf"{_SUBSET}examples\s+(on|off)"),
    "full": re.compile(r"full\s+seq\s+display\s+(on|off)"),
    "draw": re.compile(r"draw\s*\((.*)\)", re.DOTALL),
}
# Two words in a row never begin a RASP statement, so these starts are commands.
_LOOKS_LIKE_COMMAND = re.compile(
    r"(?:set|show|full|examples|exit|quit|help|s-op|selector)\s+[A-Za-z-]|draw\s*\("
)


@dataclass(frozen=True)
class Command:
    """A recognised command: its name and its parts (subset, switch, text)."""

    name: str
    subset: str | None = None  # "s-op", "selector" or None for both
    argument: str = ""  # the example's or draw's source text, or "on"/"off"


@dataclass(frozen=True)
class Mistyped:
    """A line that starts like a command but is none of them."""

    line: str

    def message(self) -> str:
        return f"error: unknown command '{self.line}'; the commands are:\n{COMMANDS}"


def read_command(line: str) -> Command | Mistyped | None:
    """The command on this line, a Mistyped one, or None for RASP source."""
    text = line.strip()
    if text.endswith(";"):
        text = text[:-1].rstrip()
    for name, pattern in _PATTERNS.items():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = match.groups()
        if name in ("set", "examples"):
            return Command(name, groups[0], groups[1].strip())
        if name == "show":
            return Command(name, groups[0])
        if name in ("full", "draw"):
            return Command(name, None, groups[0].strip())
        return Command(name)
    if _LOOKS_LIKE_COMMAND.match(text):
        return Mistyped(text)
    return None
