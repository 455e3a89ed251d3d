"""The MLP constructions are exact on every value of their inputs' value sets."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from rasplab.compiler.basis import Info
from rasplab.compiler.blocks import BOS, ONE, cat_dir, num_dir
from rasplab.compiler.mlp import affine_fit, discretize, encode, linear, read, table


def run(block, resid: dict) -> dict:
    """Evaluate an MLP block on a residual given as {direction: value}."""
    out: dict = {}
    for unit in block.units:
        pre = unit.bias + sum(w * resid.get(d, 0.0) for d, w in unit.inputs.items())
        act = max(pre, 0.0)
        for d, w in unit.outputs.items():
            out[d] = out.get(d, 0.0) + act * w
    return {d: v for d, v in out.items() if abs(v) > 1e-9}


def at(position_resid: dict) -> dict:
    return {ONE: 1.0, **position_resid}


values = st.lists(
    st.fractions(min_value=-50, max_value=50, max_denominator=64),
    min_size=1,
    max_size=30,
    unique=True,
)


@given(values, st.data())
def test_discretize_numerical_to_categorical_is_exact(xs, data):
    outputs = data.draw(st.lists(st.sampled_from("abc"), min_size=len(xs), max_size=len(xs)))
    src = Info("x", None, "numerical", sorted(xs))
    out = Info("y", None, "categorical", sorted(set(outputs)))
    block = discretize(out, read(src), list(zip(xs, outputs)), {"x"})
    for x, y in zip(xs, outputs):
        got = run(block, at({num_dir("x"): float(x)}))
        assert got.keys() == {cat_dir("y", y)}
        assert abs(got[cat_dir("y", y)] - 1.0) < 1e-6


@given(values, st.data())
def test_discretize_numerical_to_numerical_is_exact(xs, data):
    ys = data.draw(st.lists(st.integers(-9, 9), min_size=len(xs), max_size=len(xs)))
    src = Info("x", None, "numerical", sorted(xs))
    out = Info("y", None, "numerical", sorted(set(ys)))
    block = discretize(out, read(src), list(zip(xs, ys)), {"x"})
    for x, y in zip(xs, ys):
        assert abs(run(block, at({num_dir("x"): float(x)})).get(num_dir("y"), 0.0) - y) < 1e-6


def test_every_unit_is_off_at_bos():
    src = Info("x", None, "numerical", [0, 1, 2])
    out = Info("y", None, "categorical", ["a", "b"])
    block = discretize(out, read(src), [(0, "a"), (1, "b"), (2, "a")], {"x"})
    assert run(block, {ONE: 1.0, BOS: 1.0, num_dir("x"): 2.0}) == {}


@given(st.lists(st.sampled_from([0, 1, 2, 3]), min_size=2, max_size=2), st.integers(-3, 3))
def test_table_of_two_categorical_inputs(pair, shift):
    a = Info("a", None, "categorical", [0, 1, 2, 3])
    b = Info("b", None, "categorical", [0, 1, 2, 3])
    grid = [[x for x in range(4) for _ in range(4)], [y for _ in range(4) for y in range(4)]]
    outputs = [x * y + shift for x, y in zip(*grid)]
    out = Info("c", None, "categorical", sorted(set(outputs)))
    block = table(out, [a, b], grid, outputs)
    x, y = pair
    got = run(block, at({cat_dir("a", x): 1.0, cat_dir("b", y): 1.0}))
    assert got == {cat_dir("c", x * y + shift): 1.0}


def test_affine_fit_finds_affine_maps_and_refuses_others():
    grid = [[1, 1, 2, 2, 3, 3], [0, 1, 0, 1, 0, 1]]
    assert affine_fit(grid, [x - y - 1 for x, y in zip(*grid)]) == (
        Fraction(-1),
        [Fraction(1), Fraction(-1)],
    )
    assert affine_fit(grid, [x * y for x, y in zip(*grid)]) is None
    assert affine_fit(grid, ["a"] * 6) is None


def test_linear_map_of_a_numerical_input():
    out = Info("y", None, "numerical", None)
    block = linear(out, {num_dir("x"): 3.0}, -2.0, {"x"})
    for x in (-4.5, 0.0, 0.25, 7.0):
        assert abs(run(block, at({num_dir("x"): x})).get(num_dir("y"), 0.0) - (3 * x - 2)) < 1e-9
    assert encode(out, 0) == {}
