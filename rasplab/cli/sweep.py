"""`rasp sweep SPEC.toml`: train and compare every point of a sweep on Ray."""

from __future__ import annotations

import argparse

from rasplab.cli.arguments import positive_int
from rasplab.jsonsafe import dumps
from rasplab.rasp.errors import RaspError

SWEEP_EPILOG = """\
SPEC is a TOML file (README, "Sweeps"):
  [sweep]     name, out (default runs/sweeps/NAME), retries (default 1)
  [settings]  values every point shares: task, seed, steps, lr, until, n_layers,
              d_model, n_heads, d_mlp, act_fn, normalization, inputs, das_steps,
              hypotheses, cpus, gpus, device, ...
  [grid]      lists crossed with each other: seed = {range = [0, 10]}, n_layers = [1, 2]
  [[point]]   optional list of points, each crossed with the grid

Each point trains (or resumes) a model in OUT/points/ID/model, compares it with each
hypothesis of its task, and stores OUT/results/ID.json. Rerunning the same command
skips the finished points and retries the failed ones. OUT/report.html, table.csv and
table.json hold the answer: which hypothesis each model implements, by node and overall,
accuracy and steps to 99%, grouped by the swept factors.

exit status: 0 when every point finished; 1 when some failed (their errors are in
the table) or the spec is wrong (file:line: why); 2 for a bad command line.

examples:
  rasp sweep sort5-seeds.toml
  rasp sweep sort5-seeds.toml --num-cpus 8
  rasp sweep sort5-seeds.toml --address auto     (on a node of a running Ray cluster)"""


def sweep_command(args: argparse.Namespace) -> int:
    from rasplab.sweep import expand, load_spec

    spec = load_spec(args.spec)
    expand(spec)  # every mistake in the spec before Ray starts
    try:
        import ray  # noqa: F401 -- only to say how to install it
    except ImportError:
        raise RaspError(
            "rasp sweep runs its points on Ray, which is not installed",
            hint="pip install 'rasplab[sweep]'",
        ) from None
    from rasplab.sweep import run_sweep

    result = run_sweep(
        spec,
        address=args.address,
        num_cpus=args.num_cpus,
        retries=args.retries,
        parallel=args.parallel,
        progress=not args.json,
        report=not args.no_point_reports,
    )
    failed = result.failed
    summary = {"out": str(result.out), "points": len(result.records), "ran": result.ran,
               "failed": [r["id"] for r in failed], "seconds": result.seconds,
               "report": str(result.out / "report.html")}
    if args.json:
        print(dumps(summary))
    else:
        import json

        table = json.loads((result.out / "table.json").read_text())
        for group in table["groups"]:
            print(group["sentence"])
        for record in failed:
            print(f"failed {record['id']}: {record.get('error')}")
        print(f"report: {summary['report']} (table.csv, table.json beside it)")
    return 1 if failed else 0


def add_sweep_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sweep",
        help="train and compare many models (seeds, shapes, tasks) on Ray",
        description="Run (or resume) a sweep: every point of SPEC trains a model and\n"
        "compares it with its task's hypotheses, one Ray task per point.",
        epilog=SWEEP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", metavar="SPEC", help="the sweep's TOML file")
    parser.add_argument(
        "--address",
        help="an existing Ray cluster: auto (the one this node belongs to) or HEAD:6379 "
        "(ray://HOST:10001 needs ray[client]); default: start Ray on this machine",
    )
    parser.add_argument(
        "--num-cpus", type=positive_int,
        help="CPUs of the local Ray (default: every core); ignored with --address",
    )
    parser.add_argument("--retries", type=int, help="extra attempts per failed point "
                        "(default: the spec's [sweep] retries, else 1)")
    parser.add_argument("--parallel", type=positive_int,
                        help="points in flight at once (default: the cluster's CPUs over "
                        "the points' cpus)")
    parser.add_argument("--no-point-reports", action="store_true",
                        help="skip each point's compare report.html (faster)")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object: {"out", "points", "ran", "failed", '
                        '"seconds", "report"}, and no progress')
    parser.set_defaults(handler=sweep_command)
