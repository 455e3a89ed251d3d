"""The classic programs in rasp/lib, each checked against a plain-Python reference.

Every program is evaluated in batches (Program.evaluate) and compared exactly,
types included: an int is not a float, a string digit is not an int.
"""

from __future__ import annotations

import itertools
from collections import Counter
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasplab.rasp import RaspError, Session
from rasplab.rasp.program import Program
from rasplab.rasp.session import LIB_DIR
from rasplab.rasp.testing import same

# file (without .rasp) -> the output s-ops and the functions it documents
OUTPUTS = {
    "reverse": ["reversed"],
    "hist": ["hist", "hist_bos"],
    "double_hist": ["double_hist"],
    "sort": ["sorted", "sorted_unique"],
    "sort_freq": ["sort_freq"],
    "most_freq": ["most_freq"],
    "dyck": ["dyck1", "dyck2"],
    "frac_prevs": ["frac_prevs"],
    "running_max": ["running_max"],
    "prev_token": ["prev_token"],
    "induction": ["induction"],
    "addition": ["sum_digits"],
}
FUNCTIONS = {
    "reverse": ["reverse"],
    "hist": ["make_hist", "make_hist_bos"],
    "double_hist": ["make_double_hist"],
    "sort": ["sort_unique", "sort_stable"],
    "sort_freq": ["make_sort_freq"],
    "most_freq": ["make_most_freq"],
    "dyck": ["make_dyck1", "make_dyck2", "dyck_k"],
    "frac_prevs": ["make_frac_prevs"],
    "running_max": ["make_running_max"],
    "prev_token": ["make_prev_token"],
    "induction": ["make_induction"],
    "addition": ["make_sum_digits"],
}

# Each example is a batch of up to 40 inputs evaluated together: 25 batches check about
# 500 inputs per program.
BATCHES = settings(max_examples=25)


@cache
def session() -> Session:
    s = Session()
    s.exec("".join(f'load "{name}";' for name in OUTPUTS))
    return s


@cache
def program(expr: str) -> Program:
    """A program for an output name, or for an expression (bound to a fresh name)."""
    s = session()
    if not expr.isidentifier():
        name = f"expr_{abs(hash(expr))}"
        s.exec(f"{name} = {expr};")
        expr = name
    return s.program(expr)


def run(expr: str, inputs: list[Any]) -> list[list[Any]]:
    return program(expr).evaluate(inputs).output


def check(expr: str, inputs: list[Any], reference) -> None:
    outputs = run(expr, inputs)
    for x, got in zip(inputs, outputs):
        want = reference(x)
        assert same(got, want), f"{expr} on {x!r}: got {got!r}, want {want!r}"


def words(alphabet: str, max_size: int = 12):
    return st.text(alphabet, min_size=1, max_size=max_size)


def batches(inputs):
    return st.lists(inputs, min_size=1, max_size=40)


# ---- references ------------------------------------------------------------------------


def ref_reverse(x):
    return list(x)[::-1]


def ref_hist(x):
    counts = Counter(x)
    return [counts[t] for t in x]


def ref_hist_bos(x):
    assert x[0] == "^"
    return [0, *ref_hist(x[1:])]


def ref_double_hist(x):
    counts = Counter(x)
    return [sum(1 for c in counts.values() if c == counts[t]) for t in x]


def stable_order(keys):
    return sorted(range(len(keys)), key=lambda i: (keys[i], i))


def ref_sort_freq(x):
    counts = Counter(x)
    return [x[i] for i in stable_order([-counts[t] for t in x])]


def ref_most_freq(x):
    counts = Counter(x)
    top = max(counts.values())
    winner = next(t for t in x if counts[t] == top)
    return [winner] * len(x)


def ref_frac_prevs(x, target="("):
    out = []
    for i in range(len(x)):
        hits = sum(1 for t in x[: i + 1] if t == target)
        out.append(hits if i == 0 else hits / (i + 1))  # one key: the int itself
    return out


def ref_dyck(x, pairs):
    opener_of = {c: o for o, c in pairs}
    openers = {o for o, _ in pairs}
    stack: list[str] = []
    failed = False
    out = []
    for t in x:
        if not failed and t in openers:
            stack.append(t)
        elif not failed and t in opener_of:
            if stack and stack[-1] == opener_of[t]:
                stack.pop()
            else:
                failed = True
        out.append("F" if failed else ("P" if stack else "T"))
    return out


def ref_dyck1(x):
    return ref_dyck(x, ["()"])


def ref_dyck2(x):
    return ref_dyck(x, ["()", "{}"])


def ref_running_max(x):
    values = [int(t) for t in x]
    return list(itertools.accumulate(values, max))


def ref_prev_token(x):
    return ["_", *list(x)[:-1]]


def ref_induction(x):
    out = []
    for i, t in enumerate(x):
        earlier = [j for j in range(i) if x[j] == t]
        out.append(x[earlier[-1] + 1] if earlier else "_")
    return out


def ref_sum_digits(x):
    a, b = x.split("+")
    n = len(a)
    return list(str(int(a) + int(b)).zfill(n + 1)) + ["_"] * n


# ---- the files -------------------------------------------------------------------------


def lib_files():
    return sorted(p for p in LIB_DIR.glob("*.rasp") if p.name != "rasplib.rasp")


def test_documented_files_exist():
    present = {p.stem for p in lib_files()}
    assert set(OUTPUTS) <= present


@pytest.mark.parametrize("path", lib_files(), ids=lambda p: p.name)
def test_every_file_loads_in_a_fresh_session(path):
    # rasplib.rasp is the library every Session already runs; it is not loadable on top.
    assert path.read_text().startswith("#"), "a library file opens with # comments"
    s = Session()
    s.exec(f'load "{path.stem}";')
    names = s.user_names()
    assert names, f"{path.name} defines nothing"
    assert not [x for x in names if x.startswith("_")], "private names must not be exported"


@pytest.mark.parametrize("stem", sorted(OUTPUTS))
def test_documented_names_exist(stem):
    s = Session()
    s.exec(f'load "{stem}";')
    for name in OUTPUTS[stem]:
        assert s.program(name).name == name  # refuses anything but an s-op
    for name in FUNCTIONS[stem]:
        assert s.eval(name).kind == "function"


# (output, input, expected) as the files' comments state them
EXAMPLES = [
    ("reversed", "abc", ["c", "b", "a"]),
    ("hist", "abca", [2, 1, 1, 2]),
    ("hist_bos", "^abca", [0, 2, 1, 1, 2]),
    ("double_hist", "aabbc", [2, 2, 2, 2, 1]),
    ("sorted", "banana", list("aaabnn")),
    ("sorted_unique", "dbca", list("abcd")),
    ("sort_freq", "abcb", list("bbac")),
    ("sort_freq", "abab", list("abab")),
    ("most_freq", "abcbc", ["b"] * 5),
    ("frac_prevs", "(()", [1, 1.0, 2 / 3]),
    ("dyck1", "(()))(", list("PPPTFF")),
    ("dyck2", "({)}", list("PPFF")),
    ("dyck2", "({})", list("PPPT")),
    ("running_max", "31415", [3, 3, 4, 4, 5]),
    ("running_max", [-3, -5, 2, -1], [-3, -3, 2, 2]),
    ("prev_token", "abc", ["_", "a", "b"]),
    ("induction", "aa", ["_", "a"]),
    ("induction", "abcab", ["_", "_", "_", "b", "c"]),
    ("induction", "abab", ["_", "_", "b", "a"]),
    ("sum_digits", "123+989", ["1", "1", "1", "2", "_", "_", "_"]),
    ("sum_digits", "05+07", ["0", "1", "2", "_", "_"]),
]


@pytest.mark.parametrize(("name", "x", "expected"), EXAMPLES)
def test_documented_examples(name, x, expected):
    assert same(session().eval(name, x).value, expected)


# ---- reverse, histograms, sorting --------------------------------------------------------


@BATCHES
@given(batches(words("abcd")))
def test_reverse(inputs):
    check("reversed", inputs, ref_reverse)


@BATCHES
@given(batches(st.lists(st.integers(-5, 5), min_size=1, max_size=12)))
def test_reverse_keeps_ints(inputs):
    check("reverse(tokens_int)", inputs, lambda x: list(x)[::-1])


@BATCHES
@given(batches(words("abc")))
def test_hist(inputs):
    check("hist", inputs, ref_hist)


@BATCHES
@given(batches(words("abc", max_size=11).map(lambda w: "^" + w)))
def test_hist_bos(inputs):
    check("hist_bos", inputs, ref_hist_bos)


def test_hist_bos_alone_is_zero():
    assert same(session().eval("hist_bos", "^").value, [0])


@BATCHES
@given(batches(words("abcde")))
def test_double_hist(inputs):
    check("double_hist", inputs, ref_double_hist)


@BATCHES
@given(batches(words("abcd")))
def test_sorted(inputs):
    check("sorted", inputs, sorted)


@BATCHES
@given(batches(words("abcd")))
def test_sort_stable_keeps_ties_in_order(inputs):
    check("sort_stable(indices, tokens)", inputs, stable_order)


@BATCHES
@given(batches(st.lists(st.integers(-9, 9), min_size=1, max_size=12)))
def test_sort_stable_ints(inputs):
    check("sort_stable(tokens_int, tokens_int)", inputs, sorted)


distinct_words = st.lists(st.sampled_from("abcdefghijkl"), min_size=1, max_size=12, unique=True)


@BATCHES
@given(batches(distinct_words.map("".join)))
def test_sorted_unique(inputs):
    check("sorted_unique", inputs, sorted)
    check("sort_unique(indices, tokens)", inputs, stable_order)


def test_sorted_unique_refuses_repeated_tokens():
    with pytest.raises(RaspError, match="at most one key"):
        session().eval("sorted_unique", "aab")


@BATCHES
@given(batches(words("abcd")))
def test_sort_freq(inputs):
    check("sort_freq", inputs, ref_sort_freq)


@BATCHES
@given(batches(words("abcd")))
def test_most_freq(inputs):
    check("most_freq", inputs, ref_most_freq)


# ---- frac_prevs and Dyck -------------------------------------------------------------------


@BATCHES
@given(batches(words("()x")))
def test_frac_prevs(inputs):
    check("frac_prevs", inputs, ref_frac_prevs)


@BATCHES
@given(batches(words("ab")))
def test_frac_prevs_other_token(inputs):
    check('make_frac_prevs(tokens, "b")', inputs, lambda x: ref_frac_prevs(x, "b"))


def all_strings(alphabet: str, max_len: int) -> list[str]:
    return [
        "".join(p) for n in range(1, max_len + 1) for p in itertools.product(alphabet, repeat=n)
    ]


def test_dyck1_exhaustive():
    check("dyck1", all_strings("()", 10), ref_dyck1)


def test_dyck2_exhaustive():
    check("dyck2", all_strings("(){}", 8), ref_dyck2)


@BATCHES
@given(batches(words("()x")))
def test_dyck1_with_neutral_tokens(inputs):
    check("dyck1", inputs, ref_dyck1)


@BATCHES
@given(batches(words("(){}x")))
def test_dyck2_with_neutral_tokens(inputs):
    check("dyck2", inputs, ref_dyck2)


@BATCHES
@given(batches(words("(")) | batches(words("()", 6).map(lambda w: "(" * 6 + w)))
def test_dyck2_deep_nesting(inputs):
    check("dyck2", inputs, ref_dyck2)


def test_dyck_k_with_one_pair_is_dyck1():
    check('dyck_k(tokens, ["("], [")"])', all_strings("()", 8), ref_dyck1)


@BATCHES
@given(batches(words("aAbBcC")))
def test_dyck_k_three_pairs(inputs):
    check(
        'dyck_k(tokens, ["a", "b", "c"], ["A", "B", "C"])',
        inputs,
        lambda x: ref_dyck(x, ["aA", "bB", "cC"]),
    )


@BATCHES
@given(batches(st.builds(lambda o, c: o + c, words("(){}", 6), words("){}(", 6))))
def test_dyck2_balanced_heavy(inputs):
    # many prefixes come back to depth 0, then fail or recover
    check("dyck2", inputs, ref_dyck2)


# ---- prefix max, previous token, induction ------------------------------------------------


@BATCHES
@given(batches(words("0123456789")))
def test_running_max_digits(inputs):
    check("running_max", inputs, ref_running_max)


@BATCHES
@given(batches(st.lists(st.integers(-20, 20), min_size=1, max_size=12)))
def test_running_max_ints(inputs):
    check("running_max", inputs, ref_running_max)


@BATCHES
@given(batches(words("abc_")))
def test_prev_token(inputs):
    check("prev_token", inputs, ref_prev_token)


@BATCHES
@given(batches(words("abc_")))
def test_induction(inputs):
    check("induction", inputs, ref_induction)


@BATCHES
@given(batches(words("ab")))
def test_induction_many_repeats(inputs):
    check("induction", inputs, ref_induction)


# ---- addition ------------------------------------------------------------------------------


def test_addition_exhaustive_one_and_two_digits():
    inputs = [f"{a:0{n}d}+{b:0{n}d}" for n in (1, 2) for a in range(10**n) for b in range(10**n)]
    check("sum_digits", inputs, ref_sum_digits)


@st.composite
def addition_inputs(draw):
    """A+B with n = 1..6 digits each; B's digits often complete A's to 9 (carry chains)."""
    n = draw(st.integers(1, 6))
    a = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    b = [9 - d if draw(st.booleans()) else draw(st.integers(0, 9)) for d in a]
    return "".join(map(str, a)) + "+" + "".join(map(str, b))


@given(batches(addition_inputs()))
def test_addition(inputs):
    check("sum_digits", inputs, ref_sum_digits)
