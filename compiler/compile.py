"""The compiler's one orchestrating function: program -> CompiledModel."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from rasplab.compiler import basis, plan, sampling
from rasplab.compiler.assemble import assemble, residual_dirs
from rasplab.compiler.blocks import MLPKind
from rasplab.compiler.compiled import LABEL_KEY, CompiledModel
from rasplab.compiler.errors import CompileError, compile_error
from rasplab.compiler.graph import node_names, ordered_nodes, rasp_to_graph
from rasplab.compiler.schedule import schedule
from rasplab.compiler.values import sort_key
from rasplab.rasp import Program, RaspError
from rasplab.rasp import nodes as n
from rasplab.rasp.evaluate import evaluate_batch


def compile_program(
    program: Program,
    vocab: Sequence[Any] | set[Any],
    max_len: int,
    causal: bool = False,
    domain: Sequence[Sequence[Any]] | None = None,
) -> CompiledModel:
    """Exact transformer weights for `program` on every input over `vocab` up to `max_len`.

    `domain` narrows the inputs the model must handle (a task's valid inputs): the
    checks that decide encodings and causality run on it, so a program that only
    makes sense on structured inputs (a pointer into a list, distinct tokens)
    compiles for them; the model is then exact on that domain.
    """
    vocab = _check_vocab(vocab)
    if not isinstance(max_len, int) or max_len < 1:
        raise CompileError(f"max_len must be a positive int, got {max_len!r}")
    graph = rasp_to_graph(program)
    order, names = ordered_nodes(graph), node_names(graph)
    output = order[-1]
    if domain is None:
        inputs = sampling.sample_inputs(vocab, max_len, sampling.SAMPLE_INPUTS)
        exhaustive = sampling.enumerate_inputs(vocab, max_len, sampling.SAMPLE_INPUTS) is not None
        checked = "every input" if exhaustive else f"{len(inputs):,} sampled inputs"
    else:
        inputs = _check_domain(domain, vocab, max_len)
        checked = f"the {len(inputs):,} inputs of the given domain"
    try:
        widest = sampling.selector_widths(order, inputs)
    except RaspError as err:
        raise CompileError(
            f"the program fails on an input over this vocabulary: {err.message}",
            err.span,
            err.hint,
            err.stack,
        ) from None
    if causal:
        _check_causal(order, names, inputs)
    infos = basis.infer(order, names, vocab, max_len, widest, checked)
    blocks = plan.build(graph, infos, max_len)
    scratch: dict[str, list[str]] = {}
    for block in blocks.mlps:
        if block.kind is MLPKind.WIDTH_DECODE:
            scratch.setdefault(block.node, []).extend(sorted(block.reads))
    dirs = residual_dirs(order, infos, blocks, output, scratch)
    embedded = {infos[x.uid].name for x in order if isinstance(x, (n.Tokens, n.Indices))}
    sched = schedule(
        blocks, embedded | {infos[x.uid].name for x in order if isinstance(x, n.Const)}
    )
    tokens = [infos[x.uid] for x in order if isinstance(x, n.Tokens)]
    indices = next((infos[x.uid] for x in order if isinstance(x, n.Indices)), None)
    out = infos[output.uid]
    layout_meta = {
        "program": program.name,
        "vocab": vocab,
        "max_len": max_len,
        "output_encoding": out.encoding,
        "output_values": _decodable(out),
    }
    model, layout = assemble(vocab, max_len, causal, dirs, sched, tokens, indices, out, {})
    for info in infos.values():
        if info.name in blocks.fused:
            layout.fused[info.name] = blocks.fused[info.name]
        layout.encodings[info.name] = info.encoding
        if info.values is not None and info.categorical:
            layout.values[info.name] = list(info.values)
        if info.note:
            layout.notes[info.name] = info.note
    labels = {LABEL_KEY: {**layout_meta, "layout": layout.to_dict()}}
    model.cfg = type(model.cfg)(**{**model.cfg.to_dict(), "labels": labels})
    return CompiledModel(
        model, layout, program.name, vocab, max_len, out.encoding, layout_meta["output_values"]
    )


def _decodable(out: basis.Info) -> list[Any]:
    """The values a decoder picks from: a categorical output's, or a numerical output's
    when they are all ints (the model's number is snapped to the nearest)."""
    if out.categorical:  # JSON holds no fractions: a mean's exact value becomes a float
        return [float(v) if isinstance(v, Fraction) else v for v in out.values]
    if out.values is not None and all(type(v) is int for v in out.values):
        return list(out.values)
    return []


def _check_domain(domain, vocab: list[Any], max_len: int) -> list[list[Any]]:
    known = {(type(t), t) for t in vocab}
    inputs = [list(x) for x in domain]
    if not inputs:
        raise CompileError("the domain is empty")
    for x in inputs:
        if not 1 <= len(x) <= max_len:
            raise CompileError(f"domain input {x!r} has length {len(x)}, not 1..{max_len}")
        unknown = [t for t in x if (type(t), t) not in known]
        if unknown:
            raise CompileError(f"domain input {x!r} has tokens {unknown!r} outside the vocabulary")
    return inputs


def _check_vocab(vocab) -> list[Any]:
    tokens = list(vocab)
    if isinstance(vocab, (set, frozenset)):
        tokens = sorted(tokens, key=sort_key)
    if not tokens:
        raise CompileError("the vocabulary is empty")
    strings = [isinstance(t, str) for t in tokens]
    if any(strings) and not all(strings):
        raise CompileError(f"the vocabulary mixes strings and numbers: {tokens}")
    if len({(type(t), t) for t in tokens}) != len(tokens):
        raise CompileError(f"the vocabulary repeats a token: {tokens}")
    return tokens


def _check_causal(order: list[n.Node], names: dict[int, str], inputs: list[list[Any]]) -> None:
    """Under a causal mask position i sees only 0..i: every s-op's value at i must
    be what the program gives on the prefix alone."""
    sops = [x for x in order if isinstance(x, n.SOp)]
    longest = [x for x in inputs if len(x) > 1][:500]
    prefixes = [x[: k + 1] for x in longest for k in range(len(x))]
    full = evaluate_batch(sops, longest)
    parts = evaluate_batch(sops, prefixes)
    for node in sops:
        whole = full.lists(node)
        cut = parts.lists(node)
        at = 0
        for x, values in zip(longest, whole):
            for k in range(len(x)):
                if cut[at][k] != values[k]:
                    raise compile_error(
                        node,
                        names[node.uid],
                        f"position {k} depends on later positions (on input {x!r} it is "
                        f"{values[k]!r}, on the prefix {x[: k + 1]!r} {cut[at][k]!r}), "
                        "which a causal model cannot see",
                    )
                at += 1
