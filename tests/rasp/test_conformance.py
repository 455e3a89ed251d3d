"""Every case recorded from the reference RASP REPL must give the same result here."""

import json
import math
from pathlib import Path

import pytest
from rasplab.rasp import RaspError, Session

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "data" / "repl_cases.jsonl")
    .read_text()
    .splitlines()
    if line.strip()
]


def same(actual, expected) -> bool:
    """Equal values with equal kinds: an int is not a float, a bool is not an int."""
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected))
        )
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float):
        return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12)
    return actual == expected


@pytest.fixture(scope="module")
def session():
    return Session()


def test_case_count():
    assert len(CASES) == 426


@pytest.mark.parametrize("case", CASES, ids=[f"{c['source_call']}@{c['input']}" for c in CASES])
def test_repl_case(session, case):
    if case.get("error"):
        with pytest.raises(RaspError):
            session.eval(case["source_call"], case["input"])
        return
    result = session.eval(case["source_call"], case["input"])
    assert result.kind == case["kind"]
    assert same(result.value, case["output"]), (result.value, case["output"])
