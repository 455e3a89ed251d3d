"""Training runs: accuracy within a step budget, resume, checkpoints, refusals, divergence."""

import dataclasses
import json

import pytest
import safetensors.torch
import torch
from rasplab.tasks import Recipe
from rasplab.tasks.sequences import reverse_task

from rasplab import model, tasks
from rasplab.train import CheckpointMismatch, Diverged, build_model, load_trained, loop, train
from rasplab.train.data import make_data
from rasplab.train.evaluate import evaluate, scored_logits
from rasplab.train.schedule import learning_rate
from rasplab.train.threads import choose_threads, torch_threads


def test_reverse_of_length_4_reaches_100_percent(tmp_path, reverse4, tiny_recipe, tiny_config):
    recipe = dataclasses.replace(tiny_recipe, steps=100)
    result = train(tiny_config(reverse4, tmp_path), task=reverse4, recipe=recipe)
    assert result.accuracy == 1.0
    assert result.steps == 100


def test_variable_length_reverse_reaches_99_percent(
    tmp_path, reverse_upto4, tiny_recipe, tiny_config
):
    # Two layers: one to find the length, one to read the mirrored position.
    recipe = dataclasses.replace(tiny_recipe, n_layers=2, batch_size=128, steps=300)
    result = train(tiny_config(reverse_upto4, tmp_path), task=reverse_upto4, recipe=recipe)
    assert result.accuracy >= 0.99


def test_until_stops_at_the_first_evaluation_that_reaches_it(
    tmp_path, reverse4, tiny_recipe, tiny_config
):
    recipe = dataclasses.replace(tiny_recipe, steps=1000)
    config = tiny_config(reverse4, tmp_path, until=0.9)
    result = train(config, task=reverse4, recipe=recipe)
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").open()]
    assert result.steps < 1000 and result.steps == records[-1]["step"]
    assert records[-1]["held_out_seq_acc"] >= 0.9 > max(r["held_out_seq_acc"] for r in records[:-1])
    # A rerun of the finished run trains no further.
    assert train(config, task=reverse4, recipe=recipe).steps == result.steps


def _tensors(path):
    return safetensors.torch.load_file(path)


def test_a_resumed_run_ends_bit_identical(
    tmp_path, monkeypatch, reverse_upto4, tiny_recipe, tiny_config
):
    recipe = dataclasses.replace(tiny_recipe, steps=60)
    whole = train(
        tiny_config(reverse_upto4, tmp_path / "whole", checkpoint_every=20),
        task=reverse_upto4,
        recipe=recipe,
    )

    def killed_at_step_47(recipe, step):
        if step == 47:
            raise KeyboardInterrupt
        return learning_rate(recipe, step)

    config = tiny_config(reverse_upto4, tmp_path / "resumed", checkpoint_every=20)
    with monkeypatch.context() as patch:
        patch.setattr(loop, "learning_rate", killed_at_step_47)
        with pytest.raises(KeyboardInterrupt):
            train(config, task=reverse_upto4, recipe=recipe)
    assert torch.load(tmp_path / "resumed" / "state.pt", weights_only=True)["step"] == 40
    resumed = train(config, task=reverse_upto4, recipe=recipe)

    a, b = _tensors(whole.checkpoint), _tensors(resumed.checkpoint)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert resumed.accuracy == whole.accuracy

    def metrics(run):
        lines = (tmp_path / run / "metrics.jsonl").read_text().splitlines()
        return [{k: v for k, v in json.loads(line).items() if k != "seconds"} for line in lines]

    assert metrics("resumed") == metrics("whole")
    assert [r["step"] for r in metrics("resumed")] == list(range(10, 61, 10))


def test_the_seed_decides_the_weights(tmp_path, reverse4, tiny_recipe, tiny_config):
    recipe = dataclasses.replace(tiny_recipe, steps=5)
    runs = [
        train(tiny_config(reverse4, tmp_path / name, seed=seed), task=reverse4, recipe=recipe)
        for name, seed in (("a", 1), ("b", 1), ("c", 2))
    ]
    a, b, c = (_tensors(r.checkpoint)["embed.W_E"] for r in runs)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_the_checkpoint_is_a_labelled_transformer(tmp_path, reverse4, tiny_recipe, tiny_config):
    recipe = dataclasses.replace(tiny_recipe, steps=30)
    result = train(tiny_config(reverse4, tmp_path), task=reverse4, recipe=recipe)
    loaded = model.load(result.checkpoint)
    assert isinstance(loaded, model.Transformer)
    labels = loaded.cfg.labels
    assert labels["task"] == "reverse4"
    assert labels["vocab"] == list(reverse4.vocab)
    assert labels["output_vocab"] == list(reverse4.output_vocab)
    assert labels["max_len"] == 4 and labels["bos"] == "BOS"
    assert loaded.cfg.d_vocab == len(reverse4.vocab) + 1 and loaded.cfg.n_ctx == 5
    data = make_data(reverse4, recipe, 0, 300, torch.device("cpu"))
    assert evaluate(loaded, data.held_out).sequence_accuracy == result.accuracy
    for name in ("state.pt", "metrics.jsonl", "curves.png"):
        assert (tmp_path / name).is_file()


def test_a_checkpoint_of_another_format_is_refused(tmp_path, reverse4, tiny_recipe, tiny_config):
    recipe = dataclasses.replace(tiny_recipe, steps=10)
    result = train(tiny_config(reverse4, tmp_path), task=reverse4, recipe=recipe)

    longer = reverse_task("reverse4", 4, 6)
    with pytest.raises(CheckpointMismatch, match=r"max_len is 4, task reverse4 has 6"):
        train(tiny_config(longer, tmp_path), task=longer, recipe=recipe)
    with pytest.raises(CheckpointMismatch, match=r"its task is 'reverse4', task sort5 has 'sort5'"):
        load_trained(result.checkpoint, tasks.get("sort5"))
    assert load_trained(result.checkpoint, reverse4).cfg.labels["task"] == "reverse4"


def test_a_run_with_other_settings_is_not_resumed(tmp_path, reverse4, tiny_recipe, tiny_config):
    recipe = dataclasses.replace(tiny_recipe, steps=10)
    train(tiny_config(reverse4, tmp_path), task=reverse4, recipe=recipe)
    other = r"other settings \(recipe.lr: 0.01 there, 0.02 here\)"
    with pytest.raises(CheckpointMismatch, match=other):
        train(tiny_config(reverse4, tmp_path, lr=0.02), task=reverse4, recipe=recipe)


def test_a_nan_loss_stops_the_run_and_keeps_the_last_checkpoint(
    tmp_path, monkeypatch, reverse4, tiny_recipe, tiny_config
):
    calls = []

    def nan_from_step_13(model, batch):
        calls.append(1)
        logits = scored_logits(model, batch)
        return logits * float("nan") if len(calls) == 13 else logits

    monkeypatch.setattr(loop, "scored_logits", nan_from_step_13)
    recipe = dataclasses.replace(tiny_recipe, steps=50)
    config = tiny_config(reverse4, tmp_path, checkpoint_every=5)
    with pytest.raises(Diverged) as info:
        train(config, task=reverse4, recipe=recipe)
    message = str(info.value)
    assert "loss is nan at step 13" in message
    assert f"from step 10, is kept in {tmp_path}" in message
    assert torch.load(tmp_path / "state.pt", weights_only=True)["step"] == 10
    loaded = model.load(tmp_path / "model.safetensors")
    assert all(torch.isfinite(p).all() for p in loaded.parameters())


def test_uniform_attention_holds_queries_and_keys_at_zero(tmp_path, tiny_config):
    task = tasks.get("mod_add_mlp")
    recipe = dataclasses.replace(task.recipe, steps=3, d_model=16, d_mlp=32)
    fresh = build_model(task, recipe, seed=0)
    frozen = [n for n, p in fresh.named_parameters() if not p.requires_grad]
    assert sorted(n.rsplit(".", 1)[-1] for n in frozen) == ["W_K", "W_Q", "b_K", "b_Q"]
    result = train(tiny_config(task, tmp_path, eval_every=3), task=task, recipe=recipe)
    weights = _tensors(result.checkpoint)
    assert not weights["blocks.0.attn.W_Q"].any() and not weights["blocks.0.attn.W_K"].any()
    assert not torch.equal(weights["blocks.0.mlp.W_in"], fresh.blocks[0].mlp.W_in.detach())


def test_learning_rate_warms_up_then_decays_or_stays():
    recipe = Recipe(lr=1.0, warmup=10, steps=110)
    assert learning_rate(recipe, 0) == pytest.approx(0.1)
    assert learning_rate(recipe, 9) == pytest.approx(1.0)
    assert learning_rate(recipe, 10) == pytest.approx(1.0)
    assert learning_rate(recipe, 60) == pytest.approx(0.5)
    assert learning_rate(recipe, 109) < 0.001
    constant = dataclasses.replace(recipe, full_batch=True)
    assert learning_rate(constant, 109) == 1.0


def test_small_steps_train_on_one_cpu_thread():
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert choose_threads(None, 35_000, 1536, cpu) == 1  # sort5's recipe
    assert choose_threads(None, 228_000, 15_000, cpu) is None  # mod_add's full batch
    assert choose_threads(None, 35_000, 1536, cuda) is None
    assert choose_threads(3, 35_000, 1536, cpu) == 3
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_a_state_of_the_first_nested_format_still_resumes(
    tmp_path, reverse4, tiny_recipe, tiny_config
):
    recipe = dataclasses.replace(tiny_recipe, steps=10)
    config = tiny_config(reverse4, tmp_path)
    first = train(config, task=reverse4, recipe=recipe)
    state = torch.load(tmp_path / "state.pt", weights_only=True)
    flat = json.loads(state["identity"])
    eval_size = flat.pop("eval_size")
    nested = {"labels": flat, "seed": 0, "recipe": flat["recipe"], "eval_size": eval_size}
    state["identity"] = json.dumps(nested)
    torch.save(state, tmp_path / "state.pt")
    assert train(config, task=reverse4, recipe=recipe).accuracy == first.accuracy
