"""The answer of a sweep from its records: groups over the factors but the seed, counts
per hypothesis and node, and the sentence that says it; the progress line."""

from __future__ import annotations

import io

from rasplab.sweep.point import Point
from rasplab.sweep.progress import Progress
from rasplab.sweep.table import groups, rows


def point(seed: int, layers: int) -> Point:
    return Point({"task": "sort5", "seed": seed, "n_layers": layers},
                 {"seed": seed, "n_layers": layers})


def record(p: Point, rank: str, count: str, steps_to_99: int | None) -> dict:
    return {
        "id": p.id, "status": "ok", "attempts": 1,
        "train": {"steps": 300, "accuracy": 0.99, "steps_to_99": steps_to_99},
        "compare": {
            "fits_best": "rank",
            "hypotheses": {
                "rank": {"verdict": rank, "nodes": {"smaller": rank}},
                "count": {"verdict": count, "nodes": {"hist": count}},
            },
        },
    }


def test_groups_count_seeds_per_hypothesis_and_leave_failures_out_of_the_counts():
    points = [point(s, layers) for layers in (1, 2) for s in range(4)]
    records = [
        record(points[0], "does not", "does not", None),
        {"id": points[1].id, "status": "failed", "error": "Diverged: nan"},
        *(record(p, "does not", "does not", None) for p in points[2:4]),
        *(record(p, "implements", "does not", 200) for p in points[4:7]),
        record(points[7], "partial", "does not", 100),
    ]
    found = groups(points, rows(points, records))
    one, two = found
    assert one["label"] == "sort5 n_layers=1" and one["failed"] == 1 and one["ok"] == 3
    assert one["sentence"] == (
        "sort5 n_layers=1: 0/4 seeds implement rank, 3/4 do not implement rank; "
        "0/4 seeds implement count, 3/4 do not implement count"
    )
    assert two["sentence"].startswith(
        "sort5 n_layers=2: 3/4 seeds implement rank, 1/4 partial rank;"
    )
    assert two["nodes"]["rank.smaller"] == {"implements": 3, "partial": 1}
    assert two["steps_to_99_median"] == 200 and two["reached_99"] == 4
    assert one["steps_to_99_median"] is None


def test_a_point_not_run_yet_is_pending():
    p = point(0, 1)
    assert rows([p], [])[0]["status"] == "pending"


def test_progress_counts_and_eta():
    stream = io.StringIO()
    bar = Progress("s", total=10, done=4, stream=stream)
    bar.running = 2
    assert bar.line().endswith("4/10 done, 2 running, 0 failed, 4 waiting, ETA ?")
    bar.finished_now, bar.done, bar.failed = 2, 5, 1
    bar.running = 2
    assert bar.eta() is not None and bar.eta() > 0
    bar.show()
    bar.show()  # the same counts: no second line when the stream is not a terminal
    assert stream.getvalue().count("\n") == 1
