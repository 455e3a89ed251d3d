"""Expression positions the reference RASP REPL parses at full precedence, and the
primaries it has, give the reference's results here too.

The cases were recorded by running the reference REPL (tests/data/record_repl_cases.py);
an error is "parse" when its parser rejected the text, "run" when the text parsed.
"""

import json
from pathlib import Path

import pytest
from rasplab.rasp import RaspError, Session, parse_expr
from rasplab.rasp.testing import same

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "data" / "repl_grammar_cases.jsonl")
    .read_text()
    .splitlines()
]


def test_every_place_is_covered():
    places = {c["place"].split(":")[0] for c in CASES}
    assert {
        "ternary condition",
        "list comprehension iterable",
        "dict comprehension iterable",
        "round(...) is a primary",
        "indicator(...) is a primary",
    } <= places


@pytest.mark.parametrize("case", CASES, ids=[f"{c['source_call']}@{c['input']}" for c in CASES])
def test_recorded_case(case):
    session = Session()
    for statement in case["setup"]:
        session.exec(statement)
    if case.get("error") == "parse":
        with pytest.raises(RaspError, match="unexpected"):
            parse_expr(case["source_call"])
        return
    parse_expr(case["source_call"])  # the reference parsed it: so must we
    if case.get("error") == "run":
        with pytest.raises(RaspError):
            session.eval(case["source_call"], case["input"])
        return
    result = session.eval(case["source_call"], case["input"])
    assert result.kind == case["kind"]
    expected = dict(map(tuple, case["output"])) if case["kind"] == "dict" else case["output"]
    assert same(result.value, expected), (result.value, expected)
