"""Properties of the interpreter on random well-formed programs (rasplab.rasp.testing):
they run on every input, batching changes nothing, and interventions act only
downstream of the node they replace."""

import itertools
from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st
from rasplab.rasp import Program, RaspError, Session
from rasplab.rasp.testing import GeneratedProgram, inputs, programs, same


def load(generated: GeneratedProgram) -> Program:
    session = Session()
    session.exec(generated.source)
    return session.program(generated.output)


def descendants(program: Program, name: str) -> set[str]:
    """The nodes that read `name`, directly or not."""
    readers: dict[str, list[str]] = {}
    for child, parent in program.edges():
        readers.setdefault(child, []).append(parent)
    found, todo = set(), [name]
    while todo:
        for reader in readers.get(todo.pop(), []):
            if reader not in found:
                found.add(reader)
                todo.append(reader)
    return found


@st.composite
def program_and_batch(draw, max_len: int = 6, max_batch: int = 6):
    generated = draw(programs(max_len=max_len, max_nodes=14))
    batch = draw(st.lists(inputs(generated.vocab, max_len), min_size=1, max_size=max_batch))
    return generated, batch


@given(programs(max_len=4, max_nodes=14))
def test_generated_programs_run_on_every_input(generated):
    every_input = [
        list(tokens)
        for n in range(1, generated.max_len + 1)
        for tokens in itertools.product(generated.vocab, repeat=n)
    ]
    output = load(generated).evaluate(every_input).output
    values = [v for row in output for v in row]
    assert all(type(v) is not str for v in values) or all(type(v) is str for v in values)
    if not generated.numeric:
        assert not any(type(v) is float for v in values)


@given(program_and_batch(max_len=10))
def test_generated_programs_run_on_random_inputs(case):
    generated, batch = case
    assert len(load(generated).evaluate(batch).output) == len(batch)


@given(program_and_batch())
def test_batched_evaluation_equals_one_at_a_time(case):
    generated, batch = case
    program = load(generated)
    together = program.evaluate(batch)
    for i, tokens in enumerate(batch):
        alone = program.evaluate([tokens])
        for name in program.names:
            assert same(together[name][i], alone[name][0]), (name, tokens)


@given(program_and_batch(), st.data())
def test_intervening_with_a_nodes_own_values_changes_nothing(case, data):
    generated, batch = case
    program = load(generated)
    trace = program.evaluate(batch)
    name = data.draw(st.sampled_from(program.names), label="node")
    again = program.evaluate(batch, interventions={name: trace[name]})
    for other in program.names:
        assert same(again[other], trace[other]), other


@st.composite
def same_length_partners(draw, batch: list[list[Any]], vocab: tuple[Any, ...]):
    return [draw(inputs(vocab, len(tokens), min_len=len(tokens))) for tokens in batch]


@given(program_and_batch(), st.data())
def test_an_intervention_changes_only_what_is_downstream(case, data):
    """Replace a node's values by its values on other inputs of the same length
    (an interchange intervention, as compare/ builds counterfactuals)."""
    generated, batch = case
    program = load(generated)
    name = data.draw(st.sampled_from(program.names), label="node")
    partners = data.draw(same_length_partners(batch, generated.vocab), label="partners")
    base, source = program.evaluate(batch), program.evaluate(partners)
    try:
        patched = program.evaluate(batch, interventions={name: source[name]})
    except RaspError:
        # Only selectors may break the program: a rank needs its selects to agree.
        assert program.node(name).kind in ("select", "selector_logic")
        event("intervened selector broke a rank")
        return
    assert same(patched[name], source[name])
    downstream = descendants(program, name)
    for other in program.names:
        if other != name and other not in downstream:
            assert same(patched[other], base[other]), other
