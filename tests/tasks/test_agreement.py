"""The agreement checks themselves: they must report real disagreements."""

from rasplab.tasks.agreement import Mismatch, causal_violations, disagreements

from rasplab import tasks


def test_a_hypothesis_for_another_task_disagrees():
    sort = tasks.get("sort5")
    wrong = tasks.get("reverse").hypotheses["index"]
    found = disagreements(sort, wrong, [[3, 1, 2, 5, 4]])
    assert Mismatch([3, 1, 2, 5, 4], 0, 1, 4) in found


def test_only_scored_positions_count():
    permute = tasks.get("permute")
    pointer = permute.hypotheses["pointer"]
    tokens = [7, 8, 1, 0]
    assert pointer.program()(tokens)[:2] == [0, 0]  # values half: unscored, and no match
    assert disagreements(permute, pointer, [tokens]) == []


def test_reading_ahead_is_a_causal_violation():
    program = tasks.get("reverse").hypotheses["index"].program()
    problems = causal_violations(program, [[1, 2, 3]])
    assert any(p.startswith("reverse_index at position 0") for p in problems)
