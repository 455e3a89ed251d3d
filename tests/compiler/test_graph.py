"""Lowering and the program graph."""

from rasplab.compiler.graph import node_names, ordered_nodes, rasp_to_graph, readers
from rasplab.rasp import Session
from rasplab.rasp import nodes as n


def _graph(source: str, name: str):
    s = Session()
    s.exec(source)
    return s, rasp_to_graph(s.program(name))


def test_indexing_lowers_to_an_aggregate_over_an_index_select():
    _, graph = _graph("first = tokens[0];", "first")
    kinds = [type(x).__name__ for x in ordered_nodes(graph)]
    assert kinds == ["Tokens", "Indices", "Const", "Select", "Aggregate"]
    assert list(node_names(graph).values())[-3:] == ["first.position", "first.select", "first"]


def test_negative_index_counts_from_the_length():
    _, graph = _graph("last = tokens[-1];", "last")
    order = ordered_nodes(graph)
    assert any(isinstance(x, n.SelectorWidth) for x in order)
    assert node_names(graph)[order[-1].uid] == "last"


def test_contains_lowers_to_a_selector_width_compared_with_zero():
    _, graph = _graph('has = "a" in tokens;', "has")
    output = ordered_nodes(graph)[-1]
    assert isinstance(output, n.Map) and output.op == ">"
    assert isinstance(output.args[0], n.SelectorWidth)


def test_nodes_come_in_dependency_order_with_one_edge_per_read():
    s, graph = _graph("m = tokens_int + 1; y = m * m;", "y")
    order = ordered_nodes(graph)
    assert graph.graph["output"] == order[-1].uid == s.get("y").uid
    position = {x.uid: i for i, x in enumerate(order)}
    assert all(position[a] < position[b] for a, b in graph.edges())
    assert len(readers(graph, s.get("m"))) == 2  # read twice: never fused into y
