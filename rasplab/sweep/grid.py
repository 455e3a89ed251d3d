"""A spec's [settings], [[point]] list and [grid] into the points to run: each listed
point (or one empty point when none is listed) crossed with every combination of the
grid's lists, over the shared settings. Each point is checked here (its task exists,
its hypotheses belong to the task, its model shape is one the recipe accepts), so a
bad combination is a file:line error up front, not a failed run an hour in.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from rasplab import tasks
from rasplab.sweep.point import DEFAULTS, Point
from rasplab.sweep.spec import Located, Spec


def expand(spec: Spec) -> list[Point]:
    """Every point of the sweep, in grid order within each listed point."""
    listed = spec.points or [{}]
    lines = spec.point_lines or [1]
    combos = list(itertools.product(*(v.value for v in spec.grid.values())))
    raw: list[tuple[dict[str, Located], dict[str, Any]]] = []
    for table, line in zip(listed, lines):
        for key in table:
            if key in spec.grid:
                raise spec.error(
                    table[key].line,
                    f"{key} is set in a [[point]] and swept in [grid] (line "
                    f"{spec.grid[key].line}); give it in one place",
                )
        for combo in combos:
            chosen = dict(zip(spec.grid, combo))
            located = {**spec.settings, **table}
            values = {**DEFAULTS, **{k: v.value for k, v in located.items()}, **chosen}
            where = {**{k: v.line for k, v in located.items()},
                     **{k: v.line for k, v in spec.grid.items()}}
            _check_point(spec, values, where, line)
            raw.append((values, where))
    varying = _varying([values for values, _ in raw], list(spec.grid))
    points = [Point(values, {k: values.get(k) for k in varying}) for values, _ in raw]
    _refuse_duplicates(spec, points)
    return points


def _varying(all_values: list[dict[str, Any]], grid_keys: list[str]) -> list[str]:
    """The factors: grid keys first, then other keys whose value differs between points."""
    keys = list(grid_keys)
    for values in all_values:
        for key in values:
            if key in keys:
                continue
            seen = {repr(v.get(key)) for v in all_values}
            if len(seen) > 1:
                keys.append(key)
    return keys


def _check_point(spec: Spec, values: dict[str, Any], where: dict[str, int], line: int) -> None:
    if "task" not in values:
        raise spec.error(line, "a point has no task: set task in [settings], [grid] or [[point]]")
    try:
        task = tasks.get(values["task"])
    except tasks.UnknownTaskError as err:
        raise spec.error(where.get("task", line), str(err)) from None
    unknown = [h for h in values.get("hypotheses", []) if h not in task.hypotheses]
    if unknown:
        raise spec.error(
            where.get("hypotheses", line),
            f"task {task.name} has no hypothesis {', '.join(map(repr, unknown))}; "
            f"it has {', '.join(task.hypotheses) or 'none'}",
        )
    shape = Point(values, {}).recipe_overrides()
    try:
        dataclasses.replace(task.recipe, **shape)
    except ValueError as err:
        first = next((where[k] for k in ("n_heads", "d_model") if k in where), line)
        raise spec.error(first, f"task {task.name} with {shape}: {err}") from None


def _refuse_duplicates(spec: Spec, points: list[Point]) -> None:
    seen: dict[str, int] = {}
    for index, point in enumerate(points):
        if point.id in seen:
            raise spec.error(
                1, f"points {seen[point.id] + 1} and {index + 1} have the same settings "
                f"({point.settings}); each point must differ"
            )
        seen[point.id] = index
