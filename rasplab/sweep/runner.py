"""Running a sweep's points on Ray: one task per point, with the CPUs and GPUs it needs
declared so that Ray places it; the points already finished are skipped, a failed
point is retried up to `retries` more times while the others go on, and the merged
table and report are written at the end.

Ray is started on this machine (as many workers as cores, or `num_cpus`) unless it is
already running in this process or an `address` names a cluster, whose nodes must have
rasplab installed and see the output folder at the same path.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasplab.sweep.grid import expand
from rasplab.sweep.point import Point
from rasplab.sweep.progress import Progress
from rasplab.sweep.spec import Spec, load_spec
from rasplab.sweep.store import Store, write_json
from rasplab.sweep.summary import write_summary


@dataclass
class SweepResult:
    """What a call to run_sweep did: the output folder, every point's stored record,
    how many points ran now (the rest were finished before), and its wall time."""

    out: Path
    records: list[dict[str, Any]]
    ran: int
    seconds: float

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("status") != "ok"]


def run_sweep(
    spec: str | Path | Spec,
    *,
    address: str | None = None,
    num_cpus: int | None = None,
    retries: int | None = None,
    parallel: int | None = None,
    progress: bool = True,
    report: bool = True,
) -> SweepResult:
    """Run (or resume) the sweep that the spec file describes.

    retries: overrides the spec's; parallel: points in flight at once (default: as many
    as the cluster's CPUs hold); report: write each point's compare report (HTML).
    """
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    points = expand(spec)
    store = Store(spec.out)
    write_json(store.out / "sweep.json", {
        "name": spec.name,
        "spec": str(spec.path),
        "points": [{"id": p.id, "factors": p.factors, "settings": p.settings} for p in points],
    })
    start = time.perf_counter()
    todo = deque(p for p in points if not store.finished(p.id))
    ran = len(todo)
    if todo:  # with nothing left to run, only the table and report are rewritten
        bar = Progress(spec.name, len(points), len(points) - ran, enabled=progress)
        retries = spec.retries if retries is None else retries
        with _ray_session(address, num_cpus) as ray:
            _Scheduler(store, bar, retries, parallel or _slots(ray, points), report).run(todo)
    records = store.records([p.id for p in points])
    write_summary(store.out, spec.name, points, records)
    return SweepResult(store.out, records, ran, time.perf_counter() - start)


@contextmanager
def _ray_session(address: str | None, num_cpus: int | None) -> Iterator[Any]:
    """Ray, started here (on this machine, or joining the cluster at `address`) unless
    this process already runs it; what is started here is shut down at the end."""
    import ray

    started = not ray.is_initialized()
    if started:
        local = {} if address else {"num_cpus": num_cpus, "include_dashboard": False}
        ray.init(address=address, log_to_driver=False, **local)
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


def _slots(ray: Any, points: list[Point]) -> int:
    """How many points the cluster runs at once: its CPUs over the points' need."""
    cpus = ray.cluster_resources().get("CPU", 1)
    need = max((p.cpus for p in points), default=1)
    return max(1, int(cpus // need))


def _run_remote(point: Point, folder: str, report: bool) -> dict[str, Any]:
    """The Ray task (a module-level function, so workers import it by name)."""
    from rasplab.sweep.work import run_point

    return run_point(point, folder, report)


class _Scheduler:
    """Keeps up to `slots` points in flight, retries failures, stores each final record."""

    def __init__(self, store: Store, bar: Progress, retries: int, slots: int,
                 report: bool) -> None:
        self.store, self.bar, self.retries, self.slots = store, bar, retries, slots
        self.report = report
        self.errors: dict[str, list[str]] = {}
        self.flying: dict[Any, Point] = {}

    def run(self, todo: deque[Point]) -> None:
        import ray

        remote = ray.remote(max_retries=0)(_run_remote)
        try:
            while todo or self.flying:
                while todo and len(self.flying) < self.slots:
                    point = todo.popleft()
                    task = remote.options(num_cpus=point.cpus, num_gpus=point.gpus)
                    folder = str(self.store.folder(point.id).resolve())
                    self.flying[task.remote(point, folder, self.report)] = point
                self.bar.running = len(self.flying)
                self.bar.show()
                ready, _ = ray.wait(list(self.flying), num_returns=1, timeout=1.0)
                for ref in ready:
                    self._finish(ref, todo)
        except BaseException:
            for ref in self.flying:
                ray.cancel(ref, force=True)
            raise
        finally:
            self.bar.running = len(self.flying)
            self.bar.show(final=True)

    def _finish(self, ref: Any, todo: deque[Point]) -> None:
        import ray

        point = self.flying.pop(ref)
        try:
            record = ray.get(ref)
        except Exception as err:  # the worker died (killed, out of memory, node lost)
            last = (str(err).strip().splitlines() or [""])[-1]
            record = {"id": point.id, "factors": point.factors, "settings": point.settings,
                      "status": "failed", "error": f"worker lost: {type(err).__name__}: {last}"}
        errors = self.errors.setdefault(point.id, [])
        if record["status"] != "ok":
            errors.append(record["error"])
            if len(errors) <= self.retries:
                todo.appendleft(point)
                return
        record["attempts"] = len(errors) + (record["status"] == "ok")
        record["errors"] = errors
        self.store.write(record)
        self.bar.finished_now += 1
        if record["status"] == "ok":
            self.bar.done += 1
        else:
            self.bar.failed += 1

