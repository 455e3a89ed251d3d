"""draw()'s computation flow: where each node is placed, what it shows, and its SVG."""

from xml.dom import minidom

from hypothesis import given, settings
from hypothesis import strategies as st
from rasplab.rasp import Session
from rasplab.rasp import nodes as n
from rasplab.rasp.flow import build_flow, format_flow
from rasplab.rasp.flow_svg import flow_svg
from rasplab.rasp.testing import inputs, programs, same


def flow_of(source: str, name: str, tokens):
    session = Session()
    session.exec(source)
    program = session.program(name)
    return program, build_flow(program, list(tokens))


def test_sort_takes_two_attention_layers():
    _, flow = flow_of("x = sort(tokens, tokens);", "x", "hello")
    titles = [stage.title for stage in flow.stages]
    assert titles == ["input", "layer 1 attention", "layer 2 attention"]
    last = {step.name: step for step in flow.stages[-1].steps}
    assert last["x"].values == ["e", "h", "l", "l", "o"]
    assert last["x"].formula == "aggregate(sel_new, tokens_str, default 0)"
    assert last["sel_new"].kind == "selector"  # drawn with the head that reads it


def test_maps_are_written_as_source():
    _, flow = flow_of("z = -(indices + 1) if indices < 2 else {0: 1}[indices % 1];", "z", "abc")
    formulas = [step.formula for stage in flow.stages for step in stage.steps]
    assert "indices < 2" in formulas and "-map_3" in formulas and "{0: 1}[map_5]" in formulas
    assert "map_4 if map_2 else map_6" in formulas


def test_text_shows_every_step_under_its_sublayer():
    _, flow = flow_of('y = aggregate(full_s, indicator(tokens == "l"));', "y", "hello")
    text = format_flow(flow)
    assert text.splitlines()[0] == 'y on ["h", "e", "l", "l", "o"]: 2 layer(s)'
    assert text.index("layer 1 MLP") < text.index("indicator(map_2)") < text.index("layer 2")
    assert "0.4 0.4 0.4 0.4 0.4" in text


def _stage_rules_hold(program, flow):
    stage = {step.name: s.index for s in flow.stages for step in s.steps}
    for step_stage in flow.stages:
        for step in step_stage.steps:
            node = program.node(step.name)
            for read in step.reads:
                assert stage[read] <= stage[step.name]
            if isinstance(node, (n.Aggregate, n.SelectorWidth)):
                assert stage[step.name] % 2 == 1  # attention
            elif isinstance(node, n.Map):
                assert stage[step.name] >= 2 and stage[step.name] % 2 == 0  # an MLP
                assert all(
                    stage[r] < stage[step.name] or not _is_head(program, r) for r in step.reads
                )


def _is_head(program, name):
    return isinstance(program.node(name), (n.Aggregate, n.SelectorWidth))


@settings(max_examples=30)
@given(programs(), st.data())
def test_any_program_flows_in_order_with_the_interpreters_values(generated, data):
    tokens = data.draw(inputs(generated.vocab, generated.max_len))
    session = Session()
    session.exec(generated.source)
    program = session.program(generated.output)
    flow = build_flow(program, tokens)
    _stage_rules_hold(program, flow)
    trace = program.evaluate([tokens])
    for stage in flow.stages:
        for step in stage.steps:
            assert same(step.values, trace[step.name][0])
    assert minidom.parseString(flow_svg(flow)).documentElement.tagName == "svg"


def test_svg_names_every_step_and_draws_a_grid_per_selector():
    _, flow = flow_of("x = sort(tokens, tokens);", "x", "ab")
    svg = flow_svg(flow)
    document = minidom.parseString(svg)
    texts = [t.firstChild.data for t in document.getElementsByTagName("text") if t.firstChild]
    for stage in flow.stages:
        for step in stage.steps:
            assert f"{step.name} = {step.formula}" in texts
    selectors = sum(step.kind == "selector" for s in flow.stages for step in s.steps)
    cells = [r for r in document.getElementsByTagName("rect") if r.getAttribute("width") == "14"]
    assert len(cells) == selectors * 4  # a 2x2 grid each
