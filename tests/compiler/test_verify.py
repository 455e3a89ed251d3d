"""verify: categorical outputs must match exactly; numerical ones within the stated
tolerance (issue 11: classes permuted among values closer than 1e-4 read exact)."""

from rasplab.compiler.verify import TOLERANCE, same_output


def test_categorical_values_closer_than_the_tolerance_are_different():
    assert not same_output([0.10001, 0.1], [0.1, 0.10001])
    assert same_output([1, 2.0, "a"], [1, 2, "a"])


def test_booleans_never_equal_numbers():
    assert not same_output([True], [1])


def test_numerical_outputs_match_within_the_tolerance():
    assert same_output([0.5 + TOLERANCE / 2], [0.5], TOLERANCE)
    assert not same_output([0.5 + 2 * TOLERANCE], [0.5], TOLERANCE)
