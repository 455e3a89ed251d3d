"""The sweep's one-line progress in the terminal: points done, running, failed and
waiting, and an ETA from this session's throughput (finished points per second, which
already counts how many run at once)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts of the sweep's points; `show()` redraws the line (or, when the stream is
    not a terminal, prints a new line whenever a count changes)."""

    def __init__(self, name: str, total: int, done: int, stream: TextIO | None = None,
                 enabled: bool = True) -> None:
        self.name, self.total, self.done = name, total, done
        self.running = self.failed = self.finished_now = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.start = time.perf_counter()
        self._last = ""

    @property
    def waiting(self) -> int:
        return self.total - self.done - self.running - self.failed

    def eta(self) -> float | None:
        """Seconds left, once a point has finished in this session."""
        if not self.finished_now:
            return None
        rate = self.finished_now / (time.perf_counter() - self.start)
        return (self.waiting + self.running) / rate

    def line(self) -> str:
        eta = self.eta()
        left = "ETA ?" if eta is None else f"ETA {_duration(eta)}"
        if not self.waiting and not self.running:
            left = f"took {_duration(time.perf_counter() - self.start)}"
        return (
            f"sweep {self.name}: {self.done}/{self.total} done, {self.running} running, "
            f"{self.failed} failed, {self.waiting} waiting, {left}"
        )

    def show(self, final: bool = False) -> None:
        if not self.enabled:
            return
        text = self.line()
        if self.stream.isatty():
            end = "\n" if final else ""
            self.stream.write(f"\r\033[K{text}{end}")
            self.stream.flush()
        elif _counts(text) != _counts(self._last) or final:
            print(text, file=self.stream, flush=True)
        self._last = text


def _counts(text: str) -> str:
    """The line without its time, so that a non-terminal gets a line per change only."""
    return text.split(", ETA")[0].split(", took")[0]


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
