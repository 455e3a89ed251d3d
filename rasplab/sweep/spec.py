"""Reading a sweep's TOML file into checked settings, with every mistake reported as
`file:line: what is wrong`, before any Ray worker starts (a typo found after an hour of
training is an hour lost).

    [sweep]                        # the sweep itself (all optional)
    name = "sort5-seeds"           # default: the file's stem
    out = "runs/sweeps/sort5"      # default: runs/sweeps/<name>, relative to the cwd
    retries = 1                    # extra attempts for a failed point
    [settings]                     # values every point shares
    task = "sort5"
    [grid]                         # every combination of these lists
    seed = { range = [0, 10] }     # or a list: [0, 1, 2]
    n_layers = [1, 2]
    [[point]]                      # optional: a list of points, each crossed with [grid]
    task = "ioi"

The keys a point may set are in `KEYS`; `grid.py` expands the result into points.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasplab.rasp.errors import RaspError, Span, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the venv runs 3.11; the `sweep` extra installs tomli below
    import tomli as tomllib


class SpecError(RaspError):
    """The sweep file is malformed; it prints as file:line:col, the line and a caret."""


def spec_error(path: Path, source: str, line: int, message: str, col: int = 1,
               hint: str | None = None) -> SpecError:
    """A SpecError at `line` (1-based) of the sweep file, underlining the line's text."""
    text = source.split("\n")[line - 1] if 0 < line <= source.count("\n") + 1 else ""
    end = max(col + 1, len(text.rstrip()) + 1)
    return SpecError(message, Span(str(path), line, col, line, end, source), hint)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fraction(value: Any) -> bool:
    return _number(value) and 0 < value <= 1


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _one_of(*choices: str):
    def check(value: Any) -> bool:
        return value in choices

    check.__doc__ = " or ".join(repr(c) for c in choices)
    return check


# key -> (check, what the check wants). Training: the task, seed and TrainConfig's
# overrides; model shape: tasks.Recipe's fields; compare: Settings and which of the
# task's hypotheses; resources: what Ray reserves for one point.
KEYS: dict[str, tuple[Any, str]] = {
    "task": (_str, "a task name (see `rasp tasks`)"),
    "seed": (_int, "an int"),
    "steps": (_positive_int, "a positive int"),
    "lr": (_number, "a number"),
    "weight_decay": (_number, "a number"),
    "batch_size": (_positive_int, "a positive int"),
    "warmup": (_int, "an int >= 0"),
    "until": (_fraction, "a number in (0, 1]"),
    "eval_every": (_positive_int, "a positive int"),
    "eval_size": (_positive_int, "a positive int"),
    "device": (_one_of("auto", "cpu", "cuda"), "'auto', 'cpu' or 'cuda'"),
    "n_layers": (_positive_int, "a positive int"),
    "d_model": (_positive_int, "a positive int"),
    "n_heads": (_positive_int, "a positive int"),
    "d_mlp": (_int, "an int >= 0 (0: no MLPs)"),
    "act_fn": (_one_of("relu", "gelu"), "'relu' or 'gelu'"),
    "normalization": (_one_of("LN", "none"), "'LN' or 'none'"),
    "inputs": (_positive_int, "a positive int (compare's held-out inputs)"),
    "das_steps": (_positive_int, "a positive int (compare's alignment steps)"),
    "hypotheses": (_names, "a list of the task's hypothesis names"),
    "cpus": (_positive_int, "a positive int (CPU cores one point reserves)"),
    "gpus": (_number, "a number >= 0 (GPUs one point reserves)"),
}
SWEEP_KEYS = {"name": _str, "out": _str, "retries": _int}
SECTIONS = ("sweep", "settings", "grid", "point")


@dataclass(frozen=True)
class Located:
    """A value and the line of the spec file it came from."""

    value: Any
    line: int


@dataclass
class Spec:
    """A parsed sweep file: its own settings, the shared values, the grid's lists and
    the listed points, each value with its line."""

    path: Path
    source: str
    name: str
    out: Path
    retries: int
    settings: dict[str, Located] = field(default_factory=dict)
    grid: dict[str, Located] = field(default_factory=dict)
    points: list[dict[str, Located]] = field(default_factory=list)
    point_lines: list[int] = field(default_factory=list)

    def error(self, line: int, message: str, hint: str | None = None) -> SpecError:
        """A SpecError pointing at `line` of this file."""
        return spec_error(self.path, self.source, line, message, hint=hint)


def load_spec(path: str | Path) -> Spec:
    """Parse and check the sweep file at `path`; SpecError says where it is wrong."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise SpecError(f"{path}: cannot read the sweep file ({err.strerror})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise _decode_error(path, text, str(err)) from None
    lines = _LineFinder(text)
    for section in doc:
        if section not in SECTIONS:
            raise spec_error(
                path, text, lines.header(section), f"unknown section [{section}]; a sweep "
                f"file has {', '.join(f'[{s}]' for s in SECTIONS[:3])} and [[point]]",
                hint=did_you_mean(section, SECTIONS),
            )
    sweep = _sweep_section(path, text, doc.get("sweep", {}), lines)
    name = sweep.get("name", path.stem)
    spec = Spec(
        path=path,
        source=text,
        name=name,
        out=Path(sweep.get("out", Path("runs") / "sweeps" / name)),
        retries=sweep.get("retries", 1),
    )
    spec.settings = _values(spec, doc.get("settings", {}), "settings", lines)
    spec.grid = _grid(spec, doc.get("grid", {}), lines)
    points = doc.get("point", [])
    if not isinstance(points, list):
        raise spec.error(lines.header("point"), "write each point as a [[point]] table")
    for index, table in enumerate(points):
        header = lines.header("point", index)
        spec.points.append(_values(spec, table, "point", lines, index))
        spec.point_lines.append(header)
    return spec


def _decode_error(path: Path, source: str, message: str) -> SpecError:
    """tomllib's 'reason (at line L, column C)' located at L:C."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if not found:
        return SpecError(f"{path}: {message} (not valid TOML)")
    reason = f"{message[: found.start()].strip()} (not valid TOML)"
    return spec_error(path, source, int(found.group(1)), reason, int(found.group(2)))


def _sweep_section(path: Path, source: str, table: dict, lines: _LineFinder) -> dict:
    for key, value in table.items():
        line = lines.key("sweep", key)
        check = SWEEP_KEYS.get(key)
        if check is None:
            raise spec_error(path, source, line, f"unknown key {key!r} in [sweep]; it takes "
                             + ", ".join(SWEEP_KEYS), hint=did_you_mean(key, SWEEP_KEYS))
        if not check(value) or (key == "retries" and value < 0):
            wants = "an int >= 0" if key == "retries" else "a string"
            raise spec_error(path, source, line, f"[sweep] {key} must be {wants}, got {value!r}")
    return table


def _values(
    spec: Spec, table: dict, section: str, lines: _LineFinder, index: int = 0
) -> dict[str, Located]:
    """Check each key of a [settings] or [[point]] table against KEYS."""
    out = {}
    for key, value in table.items():
        line = lines.key(section, key, index)
        _check(spec, line, key, value, section)
        out[key] = Located(value, line)
    return out


def _grid(spec: Spec, table: dict, lines: _LineFinder) -> dict[str, Located]:
    """Each [grid] key holds a non-empty list of values, or {range = [start, stop]}."""
    out = {}
    for key, value in table.items():
        line = lines.key("grid", key)
        if isinstance(value, dict):
            value = _range(spec, line, key, value)
        if not isinstance(value, list) or not value:
            raise spec.error(
                line, f"[grid] {key} must be a non-empty list of values (or {{range = [a, b]}})"
            )
        for item in value:
            _check(spec, line, key, item, "grid")
        out[key] = Located(value, line)
    return out


def _range(spec: Spec, line: int, key: str, table: dict) -> list[int]:
    bounds = table.get("range")
    if list(table) != ["range"] or not (
        isinstance(bounds, list) and len(bounds) == 2 and all(_int(b) for b in bounds)
    ):
        raise spec.error(line, f"[grid] {key}: write a range as {{range = [start, stop]}}")
    start, stop = bounds
    if stop <= start:
        raise spec.error(line, f"[grid] {key}: range [{start}, {stop}] is empty (stop excluded)")
    return list(range(start, stop))


def _check(spec: Spec, line: int, key: str, value: Any, section: str) -> None:
    if key not in KEYS:
        raise spec.error(
            line, f"unknown key {key!r} in [{section}]; a point takes " + ", ".join(KEYS),
            hint=did_you_mean(key, KEYS),
        )
    check, wants = KEYS[key]
    if not check(value):
        raise spec.error(line, f"{key} must be {wants}, got {value!r}")
    if key == "gpus" and value < 0:
        raise spec.error(line, f"gpus must be >= 0, got {value!r}")


class _LineFinder:
    """Lines of tables and keys in the TOML source (tomllib keeps none): good enough for
    the flat tables a sweep file has, falling back to the table's header line."""

    def __init__(self, text: str) -> None:
        self.headers: list[tuple[str, int]] = []  # (table name, line)
        self.keys: list[tuple[int, str, int]] = []  # (index into headers, key, line)
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            header = re.match(r"^\[\[?\s*([A-Za-z0-9_.\"-]+)\s*\]\]?", line)
            if header:
                self.headers.append((header.group(1).strip('"'), number))
                continue
            key = re.match(r"^([A-Za-z0-9_-]+)\s*=", line)
            if key:
                self.keys.append((len(self.headers) - 1, key.group(1), number))

    def header(self, name: str, index: int = 0) -> int:
        """The line of the index-th header of table `name` (1 when absent)."""
        found = [line for table, line in self.headers if table == name]
        return found[index] if index < len(found) else 1

    def key(self, table: str, key: str, index: int = 0) -> int:
        """The line of `key` in the index-th `table` (its header's line when not found)."""
        seen = -1
        for position, (name, _) in enumerate(self.headers):
            if name != table:
                continue
            seen += 1
            if seen == index:
                for owner, name_, line in self.keys:
                    if owner == position and name_ == key:
                        return line
        return self.header(table, index)
