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


def probe(acts: dict[str, torch.Tensor], values: list[list[Any]]) -> ProbeResult:
    """acts: site -> [batch, n + 1, d] for same-length inputs; values[b][i] the
    s-op's value at input position i (model position i + 1)."""
    batch = len(values)
    n = len(values[0])
    flat = [v for row in values for v in row]
    y, n_classes = _labels(flat)
    y = y.view(batch, n)
    half = max(1, batch // 2)
    result = ProbeResult(list(acts), [], [])
    numbers = _numbers(flat)
    levels = torch.unique(numbers) if numbers is not None else None
    for site, h in acts.items():
        h = h[:, 1:].detach().cpu().double()
        d = h.shape[-1]
        weights = fit(h[:half].reshape(-1, d), y[:half].reshape(-1), n_classes)
        result.directions[site] = weights[:-1]
        score = accuracy(weights, h[half:].reshape(-1, d), y[half:].reshape(-1))
        if numbers is not None:
            target = numbers.view(batch, n)
            w_value = fit_value(h[:half].reshape(-1, d), target[:half].reshape(-1))
            by_value = value_accuracy(
                w_value, h[half:].reshape(-1, d), target[half:].reshape(-1), levels
            )
            if by_value > score:
                score = by_value
                result.directions[site] = w_value[:-1]
        result.accuracy.append(score)
        row: list[float | None] = []
        for i in range(n):
            if batch - half < 1:
                row.append(None)
                continue
            w = fit(h[:half, i], y[:half, i], n_classes)
            row.append(accuracy(w, h[half:, i], y[half:, i]))
        result.per_position.append(row)
    return result
