"""`rasp analyse MODEL [--task T]`: the standard analyses of a trained or compiled
model, as an HTML report and JSON (the library function is rasplab.analysis.analyse)."""

from __future__ import annotations

import argparse

from rasplab.cli.arguments import positive_int
from rasplab.jsonsafe import dumps
from rasplab.rasp.errors import RaspError

ANALYSE_EPILOG = """\
analyses: head roles (previous-token, duplicate-token, induction, BOS-resting, as
TransformerLens's head detector scores them); direct logit attribution per embedding,
head, MLP and top neuron beside mean and resample ablation, with the components that
mostly suppress wrong answers flagged (DLA understates them); PCA, NMF, t-SNE or
UMAP (--methods) of the embeddings and the residual stream, coloured by the task's
variables and its hypothesis's nodes; weight spectra (SVD); MLP neurons clustered
by behaviour; for modular tasks, the Fourier view of embeddings, logits and neurons.

The task is the one a trained model names, or --task (a compiled model names none;
without one the inputs are random sequences of its vocabulary).
output: DIR/report.html and DIR/analysis.json; the last line printed is
{"report", "json", "task", "suppressors", "key_frequencies"}, or with --json the
whole analysis as one JSON object.

examples:
  rasp analyse runs/grok-p53/model.safetensors -o runs/grok-p53/analysis
  rasp analyse induction.safetensors --task induction --inputs 200"""


def methods(text: str) -> tuple[str, ...]:
    """An argparse type: comma-separated projection methods."""
    chosen = tuple(m.strip() for m in text.split(",") if m.strip())
    unknown = [m for m in chosen if m not in ("pca", "nmf", "tsne", "umap")]
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"choose from pca, nmf, tsne, umap; got {text!r}")
    return chosen


def analyse_command(args: argparse.Namespace) -> int:
    import torch

    from rasplab.analysis import analyse, write
    from rasplab.model import load
    from rasplab.tasks import UnknownTaskError

    torch.set_num_threads(args.threads)
    try:
        model = load(args.model)
    except (FileNotFoundError, ValueError) as err:
        raise RaspError(str(err)) from None
    try:
        result = analyse(model, args.task, n=args.inputs, seed=args.seed, methods=args.methods)
    except UnknownTaskError as err:
        raise RaspError(str(err)) from None
    except ImportError as err:
        raise RaspError(str(err), hint="pip install 'rasplab[analysis]'") from None
    out = args.out or f"{args.model.rsplit('.', 1)[0]}-analysis"
    json_path, html_path = write(result, out)
    if args.json:
        print(dumps(result.to_json()))
    else:
        summary = {
            "report": str(html_path),
            "json": str(json_path),
            "task": result.task,
            "suppressors": result.suppressors(),
            "key_frequencies": result.fourier and result.fourier["key_frequencies"],
        }
        print(dumps(summary))
    return 0


def add_analyse_command(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "analyse",
        help="head roles, logit attribution, projections, neurons, Fourier of a model",
        description="The standard analyses of a trained or compiled model, written as\n"
        "one self-contained HTML report and JSON.",
        epilog=ANALYSE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", help="weights (.safetensors, config beside)")
    parser.add_argument("--task", metavar="T", help="the task whose inputs to use")
    parser.add_argument(
        "-o", "--out", metavar="DIR", help="output folder (default: MODEL's name with -analysis)"
    )
    parser.add_argument(
        "--inputs",
        type=positive_int,
        default=300,
        metavar="N",
        help="inputs sampled from the task (default 300)",
    )
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="default 0")
    parser.add_argument(
        "--methods",
        type=methods,
        default=("pca", "nmf", "tsne"),
        metavar="M,M",
        help="projections from pca, nmf, tsne, umap (default pca,nmf,tsne; umap needs "
        "umap-learn, the `analysis` extra, and starts slowly)",
    )
    parser.add_argument(
        "--threads", type=positive_int, default=1, metavar="T", help="CPU threads (default 1)"
    )
    parser.add_argument("--json", action="store_true", help="print the whole analysis as JSON")
    parser.set_defaults(handler=analyse_command)
