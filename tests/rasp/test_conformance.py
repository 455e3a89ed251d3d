"""Every case recorded from the reference RASP REPL must give the same result here."""

import json
from pathlib import Path

import pytest
from rasplab.rasp import RaspError, Session
from rasplab.rasp.testing import same

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "data" / "repl_cases.jsonl")
    .read_text()
    .splitlines()
    if line.strip()
]


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
    # The recorded floats went through the REPL's printing: forgive their last digits.
    assert same(result.value, case["output"], tol=1e-12), (result.value, case["output"])
