"""Sweep files: what they expand to, and mistakes reported as file:line before any run."""

from __future__ import annotations

import textwrap

import pytest

from rasplab.sweep import SpecError, expand, load_spec


def write(tmp_path, text: str):
    path = tmp_path / "spec.toml"
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_grid_crosses_each_listed_point_and_names_the_factors(tmp_path):
    spec = load_spec(write(tmp_path, """
        [settings]
        steps = 50
        [grid]
        seed = { range = [0, 3] }
        n_layers = [1, 2]
        [[point]]
        task = "sort5"
        [[point]]
        task = "reverse"
    """))
    points = expand(spec)
    assert len(points) == 2 * 3 * 2
    assert list(points[0].factors) == ["seed", "n_layers", "task"]
    assert {p.settings["steps"] for p in points} == {50}
    assert len({p.id for p in points}) == len(points)
    assert spec.name == "spec" and str(spec.out).endswith("runs/sweeps/spec")
    assert points[0].recipe_overrides() == {"n_layers": 1}


def test_a_changed_setting_is_a_new_point(tmp_path):
    """So that a resumed sweep with more steps never reuses a shorter run's result."""
    one = expand(load_spec(write(tmp_path, '[settings]\ntask = "sort5"\nsteps = 10\n')))
    two = expand(load_spec(write(tmp_path, '[settings]\ntask = "sort5"\nsteps = 20\n')))
    assert one[0].id != two[0].id


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ('[settings]\ntask = "sort5"\nlayers = 2\n', ":3:", "unknown key 'layers'"),
        ('[settings]\ntask = "sort5"\n[grid]\nseed = 3\n', ":4:", "non-empty list"),
        ('[settings]\ntask = "sort5"\nsteps = -1\n', ":3:", "steps must be a positive int"),
        ('[settings]\ntask = "sorting"\n', ":2:", "unknown task 'sorting'"),
        ('[settings]\ntask = "sort5"\nhypotheses = ["bubble"]\n', ":3:", "no hypothesis"),
        ('[settings]\ntask = "sort5"\n[grid]\nn_heads = [3]\n', ":4:", "not divisible"),
        ('[settings]\nseed = 1\n', ":1:", "no task"),
        ('[setings]\ntask = "sort5"\n', ":1:", "unknown section [setings]"),
        ('[settings]\ntask = "sort5\n', ":2:", "not valid TOML"),
        ('[sweep]\nretries = -1\n[settings]\ntask = "sort5"\n', ":2:", "retries"),
        ('[grid]\nseed = [0]\n[[point]]\ntask = "sort5"\nseed = 2\n', ":5:", "one place"),
    ],
)
def test_mistakes_name_the_file_and_line(tmp_path, text, where, says):
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        expand(load_spec(path))
    message = str(caught.value)
    assert message.startswith(f"{path}{where}"), message
    assert says in message


def test_a_cuda_point_reserves_a_gpu_and_the_others_none(tmp_path):
    """Ray hides GPUs from a task that reserves none, so a CUDA run must reserve one."""
    spec = load_spec(write(tmp_path, """
        [settings]
        task = "sort5"
        cpus = 2
        [grid]
        device = ["cuda", "cpu"]
    """))
    cuda, cpu = expand(spec)
    assert (cuda.gpus, cpu.gpus, cuda.cpus) == (1.0, 0.0, 2)
