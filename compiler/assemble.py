"""Blocks on layers -> a `model.Transformer` with every weight set, and its layout.

The residual stream is `one`, `bos`, then each s-op's directions in the order
the program computes them, the output last. Heads are written in factored form
without approximation: the smaller side of each bilinear map is the identity.
"""

from __future__ import annotations

from typing import Any

import torch
from rasplab.compiler.basis import Info
from rasplab.compiler.blocks import BOS, ONE, Dir, Head, MLPBlock, cat_dir, num_dir
from rasplab.compiler.layout import BlockInfo, Layout
from rasplab.compiler.mlp import encode
from rasplab.compiler.plan import Plan
from rasplab.compiler.schedule import Schedule
from rasplab.rasp import nodes as n
from rasplab.rasp.evaluate import convert_token

from rasplab.model import Transformer, TransformerConfig


def residual_dirs(
    order: list[n.Node],
    infos: dict[int, Info],
    plan: Plan,
    output: n.Node,
    scratch: dict[str, list[str]],
) -> list[Dir]:
    dirs: list[Dir] = [ONE, BOS]
    output_dirs: list[Dir] = []
    for node in order:
        info = infos.get(node.uid)
        if info is None or info.name in plan.fused:
            continue
        if isinstance(node, n.Const) and node is not output:
            continue
        for helper in plan.extra.get(info.name, []):
            dirs.extend(cat_dir(helper.name, v) for v in helper.values)
        dirs.extend(num_dir(s) for s in scratch.get(info.name, []))
        own = (
            [cat_dir(info.name, v) for v in info.values]
            if info.categorical
            else [num_dir(info.name)]
        )
        if node is output:
            output_dirs = own
        else:
            dirs.extend(own)
    return dirs + output_dirs


def _sides(pairs: dict[tuple[Dir, Dir], float], index: dict[Dir, int]):
    """The directions each side of a bilinear form reads, in residual order."""
    lefts = sorted({a for a, _ in pairs}, key=index.__getitem__)
    rights = sorted({b for _, b in pairs}, key=index.__getitem__)
    return lefts, rights


def _head_weights(head: Head, index: dict[Dir, int], d_model: int, d_head: int):
    w_q = torch.zeros(d_model, d_head)
    w_k = torch.zeros(d_model, d_head)
    queries, keys = _sides(head.qk, index)
    if len(queries) <= len(keys):
        for i, q in enumerate(queries):
            w_q[index[q], i] = 1.0
        for (q, k), w in head.qk.items():
            w_k[index[k], queries.index(q)] += w
    else:
        for j, k in enumerate(keys):
            w_k[index[k], j] = 1.0
        for (q, k), w in head.qk.items():
            w_q[index[q], keys.index(k)] += w
    w_v = torch.zeros(d_model, d_head)
    w_o = torch.zeros(d_head, d_model)
    sources, dests = _sides(head.ov, index)
    if len(sources) <= len(dests):
        for i, s in enumerate(sources):
            w_v[index[s], i] = 1.0
        for (s, d), w in head.ov.items():
            w_o[sources.index(s), index[d]] += w
    else:
        for j, d in enumerate(dests):
            w_o[j, index[d]] = 1.0
        for (s, d), w in head.ov.items():
            w_v[index[s], dests.index(d)] += w
    return w_q, w_k, w_v, w_o


def head_width(head: Head) -> int:
    queries = {q for q, _ in head.qk}
    keys = {k for _, k in head.qk}
    sources = {s for s, _ in head.ov}
    dests = {d for _, d in head.ov}
    return max(1, min(len(queries), len(keys)), min(len(sources), len(dests)))


def assemble(
    vocab: list[Any],
    max_len: int,
    causal: bool,
    dirs: list[Dir],
    sched: Schedule,
    tokens: list[Info],
    indices: Info | None,
    out: Info,
    labels: dict[str, Any],
) -> tuple[Transformer, Layout]:
    index = {d: i for i, d in enumerate(dirs)}
    d_model = len(dirs)
    d_heads = [max([head_width(h) for h in heads], default=1) for heads in sched.heads]
    d_mlps = [sum(len(b.units) for b in blocks) for blocks in sched.mlps]
    cfg = TransformerConfig(
        d_vocab=len(vocab) + 1,
        n_ctx=max_len + 1,
        d_model=d_model,
        n_layers=sched.n_layers,
        n_heads=[len(h) for h in sched.heads],
        d_head=d_heads,
        d_mlp=d_mlps,
        d_vocab_out=len(out.values) if out.categorical else 1,
        act_fn="relu",
        normalization=None,
        causal=causal,
        attn_scale=1.0,
        labels=labels,
    )
    model = Transformer(cfg, init="zeros")
    layout = Layout.from_dirs(dirs)
    with torch.no_grad():
        _embed(model, vocab, index, tokens, indices)
        for layer in range(sched.n_layers):
            _attention(model, layer, sched.heads[layer], index, d_heads[layer], layout)
            _mlp(model, layer, sched.mlps[layer], index, layout)
        _unembed(model, out, index)
    return model, layout


def _embed(model: Transformer, vocab, index, tokens: list[Info], indices: Info | None) -> None:
    w_e = model.embed.W_E
    w_e[0, index[ONE]] = 1.0
    w_e[0, index[BOS]] = 1.0
    for row, token in enumerate(vocab, start=1):
        w_e[row, index[ONE]] = 1.0
        for info in tokens:
            for d, w in encode(info, convert_token(token, info.node.conversion)).items():
                w_e[row, index[d]] += w
    if indices is not None:
        for position in range(1, model.cfg.n_ctx):
            for d, w in encode(indices, position - 1).items():
                model.pos_embed.W_pos[position, index[d]] += w


def _attention(model, layer: int, heads: list[Head], index, d_head: int, layout: Layout) -> None:
    if not heads:
        return
    attn = model.blocks[layer].attn
    d_model = model.cfg.d_model
    for h, head in enumerate(heads):
        w_q, w_k, w_v, w_o = _head_weights(head, index, d_model, d_head)
        attn.W_Q[h] = w_q
        attn.W_K[h] = w_k
        attn.W_V[h] = w_v
        attn.W_O[h] = w_o
        layout.blocks.append(
            BlockInfo(head.node, "attn", layer, h, head_width(head), head.construction)
        )


def _mlp(model, layer: int, blocks: list[MLPBlock], index, layout: Layout) -> None:
    if not blocks:
        return
    mlp = model.blocks[layer].mlp
    unit = 0
    for block in blocks:
        layout.blocks.append(
            BlockInfo(block.node, "mlp", layer, unit, len(block.units), block.construction)
        )
        for u in block.units:
            for d, w in u.inputs.items():
                mlp.W_in[index[d], unit] += w
            mlp.b_in[unit] = u.bias
            for d, w in u.outputs.items():
                mlp.W_out[unit, index[d]] += w
            unit += 1


def _unembed(model: Transformer, out: Info, index) -> None:
    if out.categorical:
        for j, value in enumerate(out.values):
            model.unembed.W_U[index[cat_dir(out.name, value)], j] = 1.0
    else:
        model.unembed.W_U[index[num_dir(out.name)], 0] = 1.0
