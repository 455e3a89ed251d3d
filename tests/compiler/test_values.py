"""The order of atoms in value sets."""

from rasplab.compiler.values import sorted_values


def test_sorted_values_keep_true_and_one_apart():
    assert sorted_values([1, True, "a", 0.5, 1, False]) == [False, True, 0.5, 1, "a"]
