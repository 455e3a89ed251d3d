"""A named s-op with everything it depends on: the unit the compiler compiles
and the comparison tests, evaluated in batches with interventions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from rasplab.rasp import nodes as n
from rasplab.rasp.errors import RaspError, did_you_mean, nesting_guard
from rasplab.rasp.evaluate import BatchValues, evaluate_batch, evaluate_nodes


class Trace(Mapping[str, list[Any]]):
    """Every named node's values on every input: trace[name][i] is a list per position
    (a 0/1 matrix for selectors)."""

    def __init__(self, program: Program, batch: BatchValues) -> None:
        self.program = program
        self._batch = batch
        self._lists: dict[str, list[Any]] = {}

    def __getitem__(self, name: str) -> list[Any]:
        if name not in self._lists:
            if name not in self.program.by_name:
                raise KeyError(name)
            self._lists[name] = self._batch.lists(self.program.by_name[name])
        return self._lists[name]

    def __iter__(self):
        return iter(self.program.names)

    def __len__(self) -> int:
        return len(self.program.nodes)

    def array(self, name: str) -> np.ndarray:
        """A node's values as one numpy array (batch, n) or (batch, n, n) for
        selectors; every input must have the same length."""
        return self._batch.array(self.program.node(name))

    @property
    def output(self) -> list[Any]:
        return self[self.program.name]


class Program:
    """The graph behind one s-op; every node has a unique name.

    A node's name is the variable it was first bound to (`smaller`, `length`);
    a name used twice gets a suffix (`smaller_2`); unnamed nodes are named by
    kind (`map_3`); the output takes the program's name.
    """

    def __init__(self, output: n.SOp, name: str) -> None:
        self.output = output
        self.name = name
        # Children are always created before their parents, so creation order is a
        # dependency order, and names follow the order in which the source built them.
        self.nodes: list[n.Node] = sorted(n.topological_order([output]), key=lambda x: x.uid)
        self._names: dict[int, str] = {}
        taken: set[str] = {name}
        counters: dict[str, int] = {}
        for node in self.nodes:
            if node is output:
                self._names[node.uid] = name
                continue
            base = node.label or node.kind
            unique = base if node.label and base not in taken else None
            while unique is None or unique in taken:
                counters[base] = counters.get(base, 1) + 1
                unique = f"{base}_{counters[base]}"
            taken.add(unique)
            self._names[node.uid] = unique
        self.by_name: dict[str, n.Node] = {self._names[x.uid]: x for x in self.nodes}

    def name_of(self, node: n.Node) -> str:
        return self._names[node.uid]

    def node(self, name: str) -> n.Node:
        if name not in self.by_name:
            raise RaspError(
                f"program '{self.name}' has no node '{name}'",
                hint=did_you_mean(name, self.by_name),
            )
        return self.by_name[name]

    @property
    def names(self) -> list[str]:
        """Node names in dependency order (each after what it reads)."""
        return [self._names[x.uid] for x in self.nodes]

    def edges(self) -> list[tuple[str, str]]:
        """(child, parent) pairs: the parent reads the child's values."""
        return [
            (self._names[child.uid], self._names[node.uid])
            for node in self.nodes
            for child in node.children
        ]

    def evaluate(
        self,
        inputs: Sequence[Any],
        interventions: Mapping[str, Sequence[Any]] | None = None,
    ) -> Trace:
        """Every node's values on a batch of inputs, with any nodes' values replaced."""
        if isinstance(inputs, str):
            raise RaspError("evaluate takes a list of inputs; wrap a single input in a list")
        replaced: dict[n.Node, Sequence[Any]] = {}
        for name, values in (interventions or {}).items():
            if len(values) != len(inputs):
                raise RaspError(
                    f"intervention on '{name}' gives {len(values)} rows for {len(inputs)} inputs"
                )
            replaced[self.node(name)] = values
        with nesting_guard():
            return Trace(self, evaluate_batch(self.nodes, inputs, replaced))

    def __call__(self, input: Any) -> list[Any]:
        """The output on one input."""
        return evaluate_nodes([self.output], [input])[0][0]

    def __repr__(self) -> str:
        return f"<Program {self.name}: {len(self.nodes)} nodes>"
