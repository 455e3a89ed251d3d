"""Maps tabulated over every combination of their inputs' values."""

from rasplab.compiler.tabulate import image, tabulate
from rasplab.compiler.values import sorted_values
from rasplab.rasp import Session, ops


def test_tabulate_drops_the_combinations_the_map_fails_on():
    grid, outputs = tabulate(lambda cols: ops.apply("/", cols), [[1, 2], [0, 2]])
    assert grid == [[1, 2], [2, 2]] and outputs == [0.5, 1.0]


def test_image_of_a_map_over_its_inputs_values():
    s = Session()
    s.exec("m = tokens_int % 3;")
    assert sorted_values(image(s.get("m"), [[0, 1, 2, 3, 4]])) == [0, 1, 2]
