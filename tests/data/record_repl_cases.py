"""Record conformance cases by running the reference RASP REPL itself.

The expected outputs in `repl_grammar_cases.jsonl` come from here, never by
hand: each case's setup statements and expression go through the reference's
own parser and evaluator. Run it with the reference's interpreter (antlr4 4.9.1
and termcolor installed), from anywhere:

    python tests/data/record_repl_cases.py /path/to/reference/RASP

An error is recorded as "parse" when the reference's parser rejects the text
and as "run" when it parses and then fails, so the test can tell a grammar
difference from a run-time one.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "repl_grammar_cases.jsonl"

TABLE = (
    "def f(seq) {"
    ' table = {"a": 1, "e": 2, "h": 3, "l": 4, "o": 5};'
    ' return (table[seq] + 10 if seq in ["a", "e"] else table[seq]);'
    " }"
)
WORDS = ["hello", "abe", "eel", "a"]

# (place, setup statements, expression, inputs)
CASES: list[tuple[str, list[str], str, list[str]]] = [
    ("ternary condition: in", [TABLE], "f(tokens)", WORDS),
    ("ternary condition: in", [], 'tokens + "!" if tokens in ["a", "e"] else tokens', WORDS),
    ("ternary condition: in", [], '1 if "l" in tokens else 0', ["hello", "abc"]),
    ("ternary condition: ternary", [], 'indices if tokens == "l" if True else False else 9', WORDS),
    (
        "ternary condition: ternary",
        [],
        '"x" if indices if False else tokens == "e" else "y"',
        WORDS,
    ),
    ("ternary condition: atom in list", [], '1 if "a" in ["a"] else 2', ["ab"]),
    ("list comprehension iterable: in", [], '[x for x in "a" in ["a"]]', ["ab"]),
    ("list comprehension iterable: in", [], "[x for x in tokens in tokens]", ["ab"]),
    ("dict comprehension iterable: in", [], '{x: 1 for x in "a" in ["a"]}', ["ab"]),
    (
        "list comprehension iterable: ternary",
        [],
        "[x + 1 for x in [1, 2] if False else [5]]",
        ["ab"],
    ),
    ("round(...) is a primary: index", [], "round(indices / 3)[4]", ["hello", "abcdefg"]),
    ("round(...) is a primary: call", [], 'round(indices / 3)("abcd")', ["ab"]),
    ("indicator(...) is a primary: index", [], 'indicator(tokens == "l")[2]', WORDS),
    ("indicator(...) is a primary: call", [], 'indicator(tokens == "l")("ell")', ["ab"]),
    ("round needs parentheses", [], "round indices", ["ab"]),
    ("indicator needs parentheses", [], "indicator tokens", ["ab"]),
    ("index: full expression", [], "[10, 20, 30][1 if True else 0]", ["ab"]),
    ("index: full expression", [], '{True: "y", False: "n"}["a" in ["a"]]', ["ab"]),
    ("call argument: full expression", [], 'tokens("ab" if "a" in ["a"] else "cd")', ["x"]),
    ("select argument: full expression", [], 'select(tokens in ["l"], True, ==)', WORDS),
    (
        "aggregate default: full expression",
        [],
        "aggregate(select(indices, 0, <), indices, 5 if True else 6)",
        WORDS,
    ),
    ("list element: full expression", [], '["a" in ["a"], 1 if False else 2]', ["ab"]),
    ("dict value: full expression", [], '{1: "a" in ["a"]}', ["ab"]),
    ("prefix operand: tighter than binary", [], "not indices == 0", WORDS),
    ("prefix operand: tighter than binary", [], "-indices ^ 2", WORDS),
    ("ternary else: left-associative", [], "1 if True else 2 if False else 3", ["ab"]),
]


def record(reference: Path) -> list[dict]:
    """Every case evaluated by the reference, one JSON object per input."""
    os.chdir(reference)  # the REPL loads RASP_support/rasplib relative to here
    sys.path.insert(0, str(reference))
    from RASP_support.Evaluator import Evaluator, JustVal
    from RASP_support.FunctionalSupport import Unfinished
    from RASP_support.REPL import REPL, AntlrException, LazyPrint, LineReader
    from RASP_support.Support import Select, Sequence

    def parsed(text: str):
        with contextlib.redirect_stdout(io.StringIO()):
            return LineReader(given_line=text).get_input_tree()

    rows = []
    for place, setup, expr, inputs in CASES:
        with contextlib.redirect_stdout(io.StringIO()):
            repl = REPL()
        for statement in setup:
            with contextlib.redirect_stdout(io.StringIO()):
                outcome = repl.evaluate_tree(parsed(statement))
            if isinstance(outcome, LazyPrint):
                raise SystemExit(f"setup failed in the reference: {statement}")
        for given in inputs:
            row = {"group": "grammar", "place": place, "setup": setup, "source_call": expr}
            row["input"] = given
            try:
                tree = parsed(expr + ";")
            except AntlrException:
                rows.append({**row, "kind": "error", "output": None, "error": "parse"})
                continue
            try:
                # the reference test-runs each result on its running example: make it the input
                repl.set_running_example(given)
                with contextlib.redirect_stdout(io.StringIO()):
                    value = Evaluator(repl.env, repl).evaluateExpr(tree.raspstatement().expr())
                    if isinstance(value, JustVal):  # an s-op applied to an input in the text
                        value = value.val
                    applied = isinstance(value, Unfinished)  # an s-op or selector
                    if applied:
                        value = value.call(given)
            except Exception:  # the reference raises many types; all are a failure to run
                rows.append({**row, "kind": "error", "output": None, "error": "run"})
                continue
            if isinstance(value, Select):
                rows_by_query = value.get_vals()  # {query: [selected per key]}
                output = [[int(v) for v in rows_by_query[q]] for q in sorted(rows_by_query)]
                kind = "selector"
            elif isinstance(value, Sequence):
                # an s-op already applied to an input in the text is a plain list
                kind, output = ("sop" if applied else "list"), value.get_vals()
            else:
                kind, output = "atom", value
                if isinstance(value, list):
                    kind = "list"
                elif isinstance(value, dict):
                    kind, output = "dict", [[k, v] for k, v in value.items()]
            rows.append({**row, "kind": kind, "output": output})
    return rows


if __name__ == "__main__":
    rows = record(Path(sys.argv[1]).resolve())
    OUT.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{len(rows)} cases written to {OUT}")
