"""Strict JSON: NaN and infinities (which json.dumps writes as bare NaN/Infinity,
invalid JSON) become null. One home for every report, record and --json output."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any


def finite(value: Any) -> Any:
    """The value with every non-finite float replaced by None, tuples as lists and
    dict keys as strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, default: Callable[[Any], Any] | None = None, indent: int | None = None
          ) -> str:
    return json.dumps(finite(value), default=default, indent=indent, allow_nan=False)
