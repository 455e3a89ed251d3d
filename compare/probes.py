"""Linear probes: where is each s-op's value linearly decodable?

Closed-form ridge regression from the residual to the value's one-hot (argmax
decodes the class) and, for numbers, to the value itself (rounded to the nearest
value seen), fit on one half of the inputs and scored on the other, at every
site, pooled over positions and per position; a site's accuracy is the better
of the two read-outs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

RIDGE = 1e-3


@dataclass
class ProbeResult:
    sites: list[str]
    accuracy: list[float]  # per site, pooled over positions
    per_position: list[list[float | None]]  # [site][position]
    directions: dict[str, torch.Tensor] = field(default_factory=dict)  # site -> [d, classes]

    @property
    def best_site(self) -> str:
        return self.sites[max(range(len(self.sites)), key=lambda i: (self.accuracy[i], -i))]

    def candidates(self, count: int, slack: float = 0.05) -> list[str]:
        """The earliest site where the value is about as decodable as anywhere, and the
        sites right after it: a variable must be patched before what reads it."""
        top = max(self.accuracy)
        first = next(i for i, a in enumerate(self.accuracy) if a >= top - slack)
        return self.sites[first : first + count]


def _labels(values: list[Any]) -> tuple[torch.Tensor, int]:
    classes: dict[Any, int] = {}
    ids = [classes.setdefault((type(v) is bool, v), len(classes)) for v in values]
    return torch.tensor(ids), len(classes)


def fit(x: torch.Tensor, y: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Ridge weights [d + 1, classes] (a bias row last)."""
    x1 = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1).double()
    target = torch.nn.functional.one_hot(y, n_classes).double()
    gram = x1.T @ x1 + RIDGE * len(x1) * torch.eye(x1.shape[1], dtype=torch.float64)
    return torch.linalg.solve(gram, x1.T @ target)


def accuracy(weights: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
    x1 = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1).double()
    return float(((x1 @ weights).argmax(dim=1) == y).double().mean()) if len(y) else float("nan")


def _numbers(values: list[Any]) -> torch.Tensor | None:
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return torch.tensor([float(v) for v in values], dtype=torch.float64)
    return None


def fit_value(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Ridge weights [d + 1, 1] predicting a number."""
    x1 = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1).double()
    gram = x1.T @ x1 + RIDGE * len(x1) * torch.eye(x1.shape[1], dtype=torch.float64)
    return torch.linalg.solve(gram, x1.T @ y.view(-1, 1))


def value_accuracy(
    weights: torch.Tensor, x: torch.Tensor, y: torch.Tensor, levels: torch.Tensor
) -> float:
    """Share of rows whose prediction is nearest to the right value."""
    if not len(y):
        return float("nan")
    x1 = torch.cat([x, torch.ones(len(x), 1, dtype=x.dtype)], dim=1).double()
    predicted = (x1 @ weights).view(-1, 1)
    nearest = levels[(predicted - levels.view(1, -1)).abs().argmin(dim=1)]
    return float((nearest == y).double().mean())


def probe(acts: dict[str, list[torch.Tensor]], values: list[list[Any]]) -> ProbeResult:
    """acts: site -> one [n_i + 1, d] tensor per input (any lengths, BOS first);
    values[b][i] the variable's value at input position i of input b. Fit on the
    inputs at even indices, scored on the odd ones, so every length is seen."""
    train_in = list(range(0, len(values), 2))
    test_in = list(range(1, len(values), 2))
    flat = [v for row in values for v in row]
    y_all, n_classes = _labels(flat)
    offsets = [0]
    for row in values:
        offsets.append(offsets[-1] + len(row))
    y_rows = [y_all[offsets[b] : offsets[b + 1]] for b in range(len(values))]
    numbers = _numbers(flat)
    levels = torch.unique(numbers) if numbers is not None else None
    n = max(len(row) for row in values)
    result = ProbeResult(list(acts), [], [])
    for site, per_input in acts.items():
        h_rows = [a[1:].detach().cpu().double() for a in per_input]

        def stack(chosen: list[int], rows=h_rows) -> tuple[torch.Tensor, torch.Tensor]:
            return torch.cat([rows[b] for b in chosen]), torch.cat([y_rows[b] for b in chosen])

        x_train, y_train = stack(train_in)
        x_test, y_test = stack(test_in) if test_in else stack(train_in)
        weights = fit(x_train, y_train, n_classes)
        result.directions[site] = weights[:-1]
        score = accuracy(weights, x_test, y_test)
        if numbers is not None:
            target_train = torch.cat([_numbers(values[b]) for b in train_in])
            chosen_test = test_in or train_in
            target_test = torch.cat([_numbers(values[b]) for b in chosen_test])
            w_value = fit_value(x_train, target_train)
            by_value = value_accuracy(w_value, x_test, target_test, levels)
            if by_value > score:
                score = by_value
                result.directions[site] = w_value[:-1]
        result.accuracy.append(score)
        row: list[float | None] = []
        for i in range(n):
            tr = [b for b in train_in if len(values[b]) > i]
            te = [b for b in test_in if len(values[b]) > i]
            if not tr or not te:
                row.append(None)
                continue
            x_tr = torch.stack([h_rows[b][i] for b in tr])
            y_tr = torch.stack([y_rows[b][i] for b in tr])
            x_te = torch.stack([h_rows[b][i] for b in te])
            y_te = torch.stack([y_rows[b][i] for b in te])
            row.append(accuracy(fit(x_tr, y_tr, n_classes), x_te, y_te))
        result.per_position.append(row)
    return result
