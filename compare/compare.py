"""compare(model, program, task) -> Report: does the model implement the program?

In order of weight: behaviour; interchange interventions on each claimed variable
through a learned linear alignment (DAS), each beside two same-model controls (a
random subspace of the same rank at the same site, and an alignment trained on
shuffled counterfactuals); whole-component patching and the strict check;
correspondence with the compiled model (probes, subspace similarity, heads that
play each selector). Every other hypothesis given (the task's rival, or all of
the task's hypotheses) is run through the same steps with the same rank rule, so
the report can say which one the model fits best. Only linear alignments are
used: a non-linear map can fit any algorithm onto any network (Sutter et al.
2025), and subspace patching can switch on dormant pathways (Makelov et al.
2024), so a node's IIA counts only where it beats the controls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict

import numpy as np
import torch
from rasplab.compare.adapter import Adapter, CompareError, adapter_for, value_key
from rasplab.compare.assess import Assessment, Models, Settings
from rasplab.compare.behaviour import behaviour
from rasplab.compare.data import held_out
from rasplab.compare.result import Report
from rasplab.compare.variables import claimed_nodes
from rasplab.rasp import Program, RaspError

from rasplab.model import Transformer

__all__ = ["Settings", "check_fit", "compare"]


def check_fit(adapter: Adapter, program: Program, task) -> None:
    """Refuse, before any work, a model, program and task that do not fit together."""
    if adapter.model.cfg.n_ctx < adapter.max_len + 1:
        raise CompareError(
            f"the model reads at most {adapter.model.cfg.n_ctx} positions (BOS included) but "
            f"inputs of {adapter.max_len} tokens need {adapter.max_len + 1}"
            + (f" (task {task.name})" if task is not None else "")
        )
    if task is not None and adapter.max_len < task.max_len:
        raise CompareError(
            f"the model takes inputs up to {adapter.max_len} tokens but task "
            f"{task.name} has inputs up to {task.max_len}"
        )
    if task is not None:
        known = {value_key(t) for t in adapter.vocab}
        unknown = [t for t in task.vocab if value_key(t) not in known]
        if unknown:
            raise CompareError(f"the model's vocabulary lacks the task's tokens {unknown}")
    if not claimed_nodes(program):
        raise CompareError(f"program '{program.name}' has no s-op to test")
    rng = np.random.default_rng(0)
    if task is not None:
        sample = task.sample(rng, 50)[0]
    else:
        sample = [
            [adapter.vocab[i] for i in rng.integers(len(adapter.vocab), size=adapter.max_len)]
            for _ in range(50)
        ]
    outputs = []
    for x in sample:
        try:
            outputs.append(program(x))
        except RaspError:
            continue
    allowed = {value_key(v) for v in adapter.output_values}
    foreign = sorted(
        {repr(v) for row in outputs for v in row if value_key(v) not in allowed}
    )
    if outputs and len(foreign) == len({repr(v) for row in outputs for v in row}):
        raise CompareError(
            f"'{program.name}' outputs values the model cannot output ({', '.join(foreign[:6])}"
            f"{', ...' if len(foreign) > 6 else ''}); the model's outputs are "
            f"{adapter.output_values[:12]}{' ...' if len(adapter.output_values) > 12 else ''}. "
            "Is it the program's output s-op, and do its values have the task's type "
            "(strings vs numbers)?"
        )


def _random_twin(adapter: Adapter, seed: int) -> Adapter:
    model = adapter.model
    twin = Transformer(model.cfg, init="normal", generator=torch.Generator().manual_seed(seed))
    twin = twin.to(next(model.parameters()).device)
    return Adapter(twin, adapter.vocab, adapter.output_values, adapter.max_len, adapter.origin,
                   adapter.task)


def compare(
    model: Transformer,
    program: Program,
    task=None,
    rival: Program | Sequence[Program] | None = None,
    settings: Settings | None = None,
    progress: bool | Callable[[str], None] = True,
) -> Report:
    """Does `model` implement `program`? Each rival program is assessed the same way."""
    settings = settings or Settings()
    adapter = adapter_for(model, task)
    rivals = [] if rival is None else [rival] if isinstance(rival, Program) else list(rival)
    for hypothesis in [program, *rivals]:
        check_fit(adapter, hypothesis, task)
    models = Models(adapter, _random_twin(adapter, settings.seed + 1))
    report_progress = _progress(progress)
    results = []
    for hypothesis in [program, *rivals]:
        run = Assessment(models, hypothesis, task, settings, report_progress)
        results.append(run.run())
    if callable(getattr(report_progress, "close", None)):
        report_progress.close()
    inputs = held_out(adapter, program, task, settings.inputs, settings.seed)
    return Report(
        main=results[0],
        others=results[1:],
        task=task.name if task else adapter.task,
        model={
            "origin": adapter.origin,
            "layers": model.cfg.n_layers,
            "d_model": model.cfg.d_model,
            "heads": list(model.cfg.heads_per_layer),
            "d_mlp": list(model.cfg.d_mlp_per_layer),
            "parameters": sum(p.numel() for p in model.parameters()),
        },
        thresholds=settings.thresholds.to_dict(),
        settings={k: v for k, v in asdict(settings).items() if k != "thresholds"},
        random_model_behaviour=behaviour(models.random, program, inputs),
        notes=[
            "IIA counts only pairs whose counterfactual output differs from the base output.",
            "Alignments are linear subspaces at the rank of the variable's compiled subspace"
            + (f", at most {settings.max_rank}" if settings.max_rank else "")
            + "; a non-linear map could fit any algorithm onto any network.",
            "A node passes only where its IIA beats both same-model controls (a random "
            "subspace of the same rank at the same site, and an alignment trained on "
            "shuffled counterfactuals) by the stated margin.",
        ],
    )


def _progress(progress: bool | Callable[[str], None]):
    """A callable that shows what is being aligned (a tqdm bar by default)."""
    if callable(progress):
        return progress
    if not progress:
        return None
    from tqdm import tqdm

    bar = tqdm(desc="compare", unit=" variables", leave=False)

    class Bar:
        def __call__(self, what: str) -> None:
            bar.update(1)
            bar.set_postfix_str(what)

        def close(self) -> None:
            bar.close()

    return Bar()
