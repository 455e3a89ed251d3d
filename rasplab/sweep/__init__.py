"""sweep: train and compare many models (seeds, shapes, tasks) on Ray, and say which
hypothesis each one implements (see README, "Sweeps").

    from rasplab.sweep import run_sweep
    result = run_sweep("sweeps/sort5-seeds.toml")   # local Ray; address= for a cluster
    result.out / "report.html"                       # the table and plots

Ray is the optional extra `sweep` (pip install 'rasplab[sweep]'); it is imported only
when a sweep runs, so parsing and checking a spec needs no Ray.
"""

from rasplab.sweep.grid import expand
from rasplab.sweep.point import Point
from rasplab.sweep.runner import SweepResult, run_sweep
from rasplab.sweep.spec import Spec, SpecError, load_spec

__all__ = ["Point", "Spec", "SpecError", "SweepResult", "expand", "load_spec", "run_sweep"]
