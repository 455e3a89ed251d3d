"""The printer is the parser's inverse and writes only the parentheses it must."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasplab.rasp import RaspError, ast, parse, parse_expr
from rasplab.rasp.printer import KEYWORDS, to_source
from rasplab.rasp.testing import ast_exprs, ast_modules, programs

ROOT = Path(__file__).resolve().parents[2]
RASP_FILES = sorted(ROOT.glob("rasp/lib/*.rasp")) + sorted(ROOT.glob("tasks/**/*.rasp"))
# Printing and parsing a drawn expression or number costs microseconds, and the grammar
# has many productions and precedence levels: these tests draw more than the profile.
SYNTAX = settings(max_examples=300)


@SYNTAX
@given(ast_exprs())
def test_expression_round_trip(expr):
    assert parse_expr(to_source(expr)) == expr


@given(ast_modules())
def test_module_round_trip(module):
    assert parse(to_source(module)) == module


@pytest.mark.parametrize("path", RASP_FILES, ids=lambda p: p.name)
def test_rasp_files_round_trip(path):
    module = parse(path.read_text(), str(path))
    printed = to_source(module)
    assert parse(printed) == module
    assert to_source(parse(printed)) == printed


@given(programs(max_nodes=10))
def test_generated_programs_are_printed_canonically(program):
    assert to_source(parse(program.source)) == program.source


def _grouping_parens(text: str) -> list[tuple[int, int]]:
    """Matching (open, close) positions of parentheses that group, not call, outside strings."""
    pairs, stack, in_string = [], [], False
    for i, char in enumerate(text):
        if char == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif char == "(":
            stack.append(i)
        elif char == ")":
            start = stack.pop()
            before = text[
                start - 1 : start
            ]  # the printer writes calls as `f(`, keywords as `not (`
            if not (before.isalnum() or before in ("_", ")", "]")):
                pairs.append((start, i))
    return pairs


@SYNTAX
@given(ast_exprs())
def test_every_grouping_parenthesis_is_needed(expr):
    text = to_source(expr)
    for start, end in _grouping_parens(text):
        without = text[:start] + " " + text[start + 1 : end] + " " + text[end + 1 :]
        try:
            reparsed = parse_expr(without)
        except RaspError:  # a syntax error shows the parentheses were needed
            continue
        assert reparsed != expr, f"unneeded parentheses in {text!r}"


@pytest.mark.parametrize(
    ("source", "printed"),
    [
        ("((indices+1))", "indices + 1"),
        ('(indices+1)("abc")', '(indices + 1)("abc")'),
        ("(round(a))(b)", "round(a)(b)"),
        ("round(a(b))", "round(a(b))"),
        ("(indicator(a))[0]", "indicator(a)[0]"),
        ("-(round(a))", "-round(a)"),
        ("-(-x)", "- -x"),
        ("-(+x)", "- +x"),
        ("-(1)", "-1"),
        ("not(x)", "not x"),
        ("not (a == b)", "not (a == b)"),
        ("(not a) == b", "not a == b"),
        ("(-a) * b", "-a * b"),
        ("-(a * b)", "-(a * b)"),
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a % (b * c)", "a % b * c"),
        ("(a % b) * c", "(a % b) * c"),
        ("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
        ("2 ^ (3 ^ 2)", "2 ^ (3 ^ 2)"),
        ("a or (b and c)", "a or (b and c)"),
        ("(a or b) and c", "a or b and c"),
        ("a in (b and c)", "a in b and c"),
        ("(a in b) and c", "(a in b) and c"),
        ("a in (b in c)", "a in (b in c)"),
        ("x if c else (y if d else z)", "x if c else (y if d else z)"),
        ("(x if c else y) if d else z", "x if c else y if d else z"),
        ("x if (c if d else e) else y", "x if c if d else e else y"),
        ("x if (c in d) else y", "x if c in d else y"),
        ("[x for x in (a in b)]", "[x for x in a in b]"),
        ("{x: y for x in (a in b)}", "{x: y for x in a in b}"),
        ("[a in b for x in c]", "[a in b for x in c]"),
        ('{1: [2.5, 0.0], "k": {}}', '{1: [2.5, 0.0], "k": {}}'),
        ("select(k, q, !=)", "select(k, q, !=)"),
        ("aggregate(s, v)", "aggregate(s, v)"),
        ("range(1, 2)(x)[0]", "range(1, 2)(x)[0]"),
    ],
)
def test_minimal_parentheses(source, printed):
    assert to_source(parse_expr(source)) == printed
    assert parse_expr(printed) == parse_expr(source)


def test_blocks_are_indented():
    source = 'def f(x) { for k in [1, 2] { x = x + k; } return x, 1; } load "lib"; f(1);'
    assert to_source(parse(source)) == (
        "def f(x) {\n"
        "    for k in [1, 2] {\n"
        "        x = x + k;\n"
        "    }\n"
        "    return x, 1;\n"
        "}\n"
        'load "lib";\n'
        "f(1);\n"
    )


@SYNTAX
@given(st.floats(min_value=0.0, allow_nan=False, allow_infinity=False).map(abs))
def test_floats_print_as_digits_dot_digits(value):
    text = to_source(ast.Num(value))
    assert re.fullmatch(r"[0-9]+\.[0-9]+", text)
    assert parse_expr(text) == ast.Num(value)


@pytest.mark.parametrize(
    "node",
    [
        ast.Str('say "hi"'),
        ast.Str("two\nlines"),
        ast.Load('a"b'),
        ast.Num(-1),
        ast.Num(-0.0),
        ast.Num(float("inf")),
        ast.Num(float("nan")),
        ast.Num(True),
        *[ast.Name(keyword) for keyword in sorted(KEYWORDS)],
        ast.Name("2x"),
        ast.Assign(("x",), ()),
        ast.BinOp("!=", ast.Name("a"), ast.Name("b")),
        ast.UnaryOp("~", ast.Name("a")),
        ast.Select(ast.Name("a"), ast.Name("b"), "in"),
    ],
    ids=repr,
)
def test_unprintable_nodes_raise_value_error(node):
    with pytest.raises(ValueError):
        to_source(node)


def test_printer_keywords_are_the_grammars():
    grammar = (ROOT / "rasp" / "grammar.lark").read_text()
    assert set(re.findall(r'"([a-z]+)"', grammar)) == KEYWORDS
