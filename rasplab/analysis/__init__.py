"""analysis: what a trained or compiled model does, without a hypothesis.

    from rasplab.analysis import analyse, write
    result = analyse(model, "induction")      # head roles, DLA beside ablation, ...
    write(result, "runs/induction/analysis")  # report.html + analysis.json

One module per analysis: heads (TransformerLens head-detector roles), attribution
(direct logit attribution), ablation (mean and resample), reduce (PCA, NMF, t-SNE,
UMAP, weight spectra), neurons (clusters by behaviour and by frequency), fourier and
frequencies (modular tasks), with inputs (the shared probe), run (`analyse`: all of them)
and report (HTML and JSON). Names load on first use, so rasplab.train can use the
Fourier module without pulling in scikit-learn or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "analyse": "rasplab.analysis.run",
    "Analysis": "rasplab.analysis.run",
    "write": "rasplab.analysis.report",
    "make_probe": "rasplab.analysis.inputs",
    "head_scores": "rasplab.analysis.heads",
    "direct_logit_attribution": "rasplab.analysis.attribution",
    "ablation_effects": "rasplab.analysis.ablation",
    "project": "rasplab.analysis.reduce",
    "fourier_analysis": "rasplab.analysis.frequencies",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rasplab.analysis' has no attribute {name!r}")
