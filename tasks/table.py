"""The plain-text task table `rasp tasks` prints, from the rows of `task_table()`."""

from __future__ import annotations

from typing import Any

HEADER = ("name", "vocab", "max_len", "hypotheses", "description")


def format_task_table(rows: list[dict[str, Any]]) -> str:
    """One line per task, columns aligned, the description last (it runs long);
    a hypothesis is marked * when `rasp compile` can build it."""
    table = [
        (
            row["name"],
            str(row["vocab_size"]),
            str(row["max_len"]),
            ", ".join(h["name"] + ("*" if h["compilable"] else "") for h in row["hypotheses"]),
            row["description"],
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [HEADER, *table]) for i in range(len(HEADER) - 1)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths)) + "  " + line[-1]
        for line in [HEADER, *table]
    ]
    return "\n".join([*lines, "", "* compilable by `rasp compile`"])
