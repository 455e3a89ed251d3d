"""The interactive RASP REPL that plain `rasp` starts.

It keeps the reference REPL's habits: `>> ` and `.. ` prompts, a running
example (`set example`, `show example`) on which every new s-op and selector is
shown, and errors that are printed without ending the session. The loop reads
through a function and writes to a stream, so tests drive it with StringIO.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from rasplab.rasp import ast, limits
from rasplab.rasp import nodes as n
from rasplab.rasp.display import LEAD, describe, expression_name, format_plain
from rasplab.rasp.errors import RaspError, nesting_guard
from rasplab.rasp.evaluate import check_input
from rasplab.rasp.flow import build_flow, format_flow
from rasplab.rasp.flow_svg import flow_svg
from rasplab.rasp.guard import failure_message
from rasplab.rasp.parser import parse, parse_expr
from rasplab.rasp.program import Program
from rasplab.rasp.repl_commands import COMMANDS, Command, Mistyped, read_command
from rasplab.rasp.session import Session
from rasplab.rasp.values import kind_of

PROMPT = ">> "
MORE = ".. "
FILE = "<stdin>"
HISTORY = Path(os.path.expanduser("~/.rasp_history"))
_CODE_ONLY = re.compile(r'"[^"\n]*"?|#[^\n]*')  # strings and comments hide braces and ';'

BANNER = "RASP (rasplab): statements end with ';', blocks with '}'. Type help, or exit to leave."

HELP = """\
Statements end with ';'; 'def' and 'for' blocks end with '}'. Input continues on
'.. ' lines until the statement is complete (Ctrl-C abandons it).

  x = e;              define x; an s-op or selector is shown on the example
  e;                  show e's value (it is also bound to 'out')
  def f(a, b) { ...; return e; }
  load "file";        run file.rasp and import its public names

Commands (no ';' needed):
{commands}

Primitives: select(keys, queries, op) with op one of == != < <= > >=,
aggregate(selector, sop[, default]), and the names below.
"""


def needs_more(source: str) -> bool:
    """True while the input cannot be a complete statement yet.

    Open brackets or no final ';' / '}' mean more is coming; a closed dict
    literal without its ';' (`d = {1: 2}`) is caught by the parser hitting the end.
    """
    code = _CODE_ONLY.sub("", source).strip()
    if not code:
        return False
    depth = sum(map(code.count, "([{")) - sum(map(code.count, ")]}"))
    if depth > 0 or not code.endswith((";", "}")):
        return True
    try:
        parse(source, FILE)
    except RaspError as err:
        return err.message == "unexpected end of input"
    return False


class Repl:
    """One REPL session: a `Session`, the running example and the pending input."""

    def __init__(self, out: TextIO, session: Session | None = None) -> None:
        self.out = out
        self.session = session or Session()
        self.example: Any = "hello"  # the s-ops' running example
        self.selector_example: Any = "hello"
        self.show_examples = {"s-op": True, "selector": True}
        self.full_seq = False
        self.draw_dir = Path("comp_flows")  # where draw() writes, as the reference REPL
        self.pending: list[str] = []

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self, read: Callable[[str], str]) -> None:
        """Read lines with `read(prompt)` until `exit` or end of input (EOFError)."""
        self.say(BANNER)
        self.show_example()
        while True:
            try:
                line = read(MORE if self.pending else PROMPT)
            except EOFError:
                if self.pending:  # an unfinished statement: show the parser's complaint
                    self.execute("\n".join(self.pending))
                self.say("")
                return
            except KeyboardInterrupt:
                self.pending.clear()
                self.say("\n(input abandoned)")
                continue
            if not self.feed(line):
                return

    def feed(self, line: str) -> bool:
        """Take one line of input; False when the user asked to leave."""
        command = None if self.pending else read_command(line)
        if isinstance(command, Mistyped):
            self.say(command.message())
            return True
        if command is not None:
            return self.run_command(command)
        self.pending.append(line)
        source = "\n".join(self.pending)
        if not needs_more(source):
            self.pending.clear()
            self.execute(source)
        return True

    def run_command(self, command: Command) -> bool:
        """Carry out one REPL command; False for exit."""
        if command.name == "exit":
            return False
        if command.name == "help":
            self.say(self.help())
        elif command.name == "show":
            self.show_example(command.subset)
        elif command.name == "set":
            self.set_example(command.argument, command.subset)
        elif command.name == "examples":
            for subset in [command.subset] if command.subset else list(self.show_examples):
                self.show_examples[subset] = command.argument == "on"
        elif command.name == "full":
            self.full_seq = command.argument == "on"
        elif command.name == "draw":
            self.draw(command.argument)
        return True

    def help(self) -> str:
        """The help text, listing the names the library really has."""
        names = sorted(k for k in self.session.library.vars if k not in ("True", "False"))
        return HELP.replace("{commands}", COMMANDS) + textwrap.fill(", ".join(names), width=80)

    def show_example(self, subset: str | None = None) -> None:
        """`running example is: E`, or each kind's example when they differ or one is asked."""
        if subset is None and format_plain(self.example) == format_plain(self.selector_example):
            self.say(f"running example is: {format_plain(self.example)}")
            return
        if subset in (None, "s-op"):
            self.say(f"s-op example: {format_plain(self.example)}")
        if subset in (None, "selector"):
            self.say(f"selector example: {format_plain(self.selector_example)}")

    def describe(self, name: str, value: Any) -> str:
        """A value as the settings say: on its kind's example, or without one."""
        if isinstance(value, n.Selector):
            example, show = self.selector_example, self.show_examples["selector"]
        else:
            example, show = self.example, self.show_examples["s-op"]
        full = self.full_seq
        return describe(self.session, name, value, example, show_example=show, full=full)

    def guarded(self, work: Callable[[], None]) -> None:
        """Run one request, printing included; whatever fails (a RASP error, a value too
        large to print, memory, a bug in rasplab) is printed and the session carries on."""
        try:
            work()
        except KeyboardInterrupt:
            self.say("(interrupted)")
        except Exception as err:  # MemoryError and RecursionError included
            self.say(failure_message(err))

    def set_example(self, expr: str, subset: str | None = None) -> None:
        def work() -> None:
            value = self.session.evaluate_expr(expr, "<example>")
            tokens = check_input(value, "the example")
            limits.check_input_length(len(tokens))
            format_plain(value)  # fails here, not later, if it cannot be printed
            if subset in (None, "s-op"):
                self.example = value
            if subset in (None, "selector"):
                self.selector_example = value
            self.show_example(subset)

        self.guarded(work)

    def execute(self, source: str) -> None:
        """Run statements; print what they defined, or the error, and carry on."""
        before = dict(self.session.globals.vars)

        def work() -> None:
            module = parse(source, FILE)
            value = self.session.exec(source, FILE)
            for text in self.report(module, value, before):
                self.say(text)

        self.guarded(work)

    def report(self, module: ast.Module, value: Any, before: dict[str, Any]) -> Iterator[str]:
        """What the statements did: names defined (each at its last definition), loads, `e;`."""
        names = self.session.globals.vars
        body = module.body
        last_definition = {name: i for i, stmt in enumerate(body) for name in _bound_by(stmt)}
        last_expr = max((i for i, s in enumerate(body) if isinstance(s, ast.ExprStmt)), default=-1)
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.Load):
                loaded = [
                    k
                    for k, v in names.items()
                    if k != "out" and k not in last_definition and before.get(k) is not v
                ]
                source = self.session.interpreter.loaded.get(stmt.path, stmt.path)
                yield f"{LEAD}loaded {source}: {', '.join(loaded) or 'nothing new'}"
            elif isinstance(stmt, ast.ExprStmt) and i == last_expr:
                yield self.describe(expression_name(stmt.expr), value)
            for name in _bound_by(stmt):
                if last_definition[name] == i:
                    yield self.describe(name, names[name])

    def draw(self, arguments: str) -> None:
        """`draw(sop[, input])`: the computation flow as text here and as an SVG file."""

        def work() -> None:
            call = parse_expr(f"draw({arguments})", FILE)
            if not isinstance(call, ast.Call) or not 1 <= len(call.args) <= 2:
                raise RaspError(
                    "draw takes an s-op and, optionally, an input",
                    call.span,
                    "draw(sop) on the running example, or draw(sop, input)",
                )
            with nesting_guard():
                values = [self.session.interpreter.eval(a, self.session.globals) for a in call.args]
            sop = values[0]
            if not isinstance(sop, n.SOp):
                raise RaspError(f"draw takes an s-op, not a {kind_of(sop)}", call.args[0].span)
            tokens = check_input(values[1] if len(values) == 2 else self.example, "the input")
            limits.check_input_length(len(tokens))
            name = expression_name(call.args[0])
            flow = build_flow(Program(sop, name), tokens)
            self.draw_dir.mkdir(parents=True, exist_ok=True)
            path = self.draw_dir / f"{_file_name(name)}.svg"
            path.write_text(flow_svg(flow))
            self.say(format_flow(flow))
            self.say(f"{LEAD}drawn to {path}")

        self.guarded(work)


def _file_name(name: str) -> str:
    """A name safe for a file: anything but letters, digits, '_' and '-' becomes '_'."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _bound_by(stmt: ast.Stmt) -> tuple[str, ...]:
    """The names a top-level statement defines (a loop's writes are not announced)."""
    if isinstance(stmt, ast.Assign):
        return stmt.targets
    if isinstance(stmt, ast.FuncDef):
        return (stmt.name,)
    return ()


def stream_reader(stream: TextIO, out: TextIO) -> Callable[[str], str]:
    """`input()` for any stream: writes the prompt, raises EOFError at the end."""

    def read(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        line = stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    return read


@contextlib.contextmanager
def line_history(path: Path) -> Iterator[None]:
    """Line editing and history in `path` where readline exists; never fails without it."""
    try:
        import readline
    except ImportError:
        yield
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            readline.write_history_file(path)


def main(stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the REPL on a terminal (with readline) or on any pair of streams."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    repl = Repl(stdout)
    if stdin is sys.stdin and stdout is sys.stdout and stdin.isatty():
        with line_history(HISTORY):
            repl.run(input)
    else:
        repl.run(stream_reader(stdin, stdout))
    return 0
