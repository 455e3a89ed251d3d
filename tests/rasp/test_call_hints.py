"""Typos and miscounted arguments get errors that name the function and show how to call it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rasplab.rasp import RaspError, Session, parse
from rasplab.rasp.signatures import ARITY, PRIMITIVES

SELECT_FORM = "select(keys, queries, op), with op one of == != < <= > >="


def error_of(source: str) -> RaspError:
    with pytest.raises(RaspError) as caught:
        Session().exec(source)
    return caught.value


@pytest.mark.parametrize(
    ("source", "message", "hint"),
    [
        # the three reports
        ("x = selct(indices, indices);", "unknown name 'selct'", "did you mean 'select'?"),
        ("x = slect(indices, indices, <);", "unexpected '<': 'slect' is not select", SELECT_FORM),
        ("x = select(indices, indices);", "select takes 3 arguments, 2 given", SELECT_FORM),
        # their relatives
        ("x = Select(indices, indices, ==);", "'Select' is not select", "did you mean 'select'?"),
        ("x = select(indices, <);", "the comparison is select's third argument", SELECT_FORM),
        ("x = select(indices, indices, x);", "select's third argument is a comparison", "op"),
        ("x = select(indices, indices, <, 1);", "select takes 3 arguments, more given", "op"),
        ("x = select();", "select takes 3 arguments, none given", SELECT_FORM),
        ("x = aggregate(full_s);", "aggregate takes 2 or 3 arguments, 1 given", "[, default]"),
        ("x = round(1, 2);", "round takes 1 argument, more given", "round(e)"),
        ("x = indicator();", "indicator takes 1 argument, none given", "indicator(e)"),
        ("x = foo(indices, <);", "a comparison on its own is an argument of select only", "op"),
        ("x = agregate(full_s, tokens);", "unknown name", "aggregate(selector, sop[, default])"),
        ("x = shfit(tokens, 1, 0);", "unknown name 'shfit'", "did you mean 'shift'? shift("),
    ],
)
def test_typo_errors_say_what_to_write(source, message, hint):
    err = error_of(source)
    assert message in err.message
    assert hint in (err.hint or "")


def test_a_user_function_is_suggested_with_its_parameters():
    err = error_of("def double_it(a, b) { return a + b; }\nx = double_i(1, 2);")
    assert err.hint == "did you mean 'double_it'? double_it(a, b)"


def test_expected_lists_the_missing_token_not_every_operator():
    err = error_of("x = (1 + 2;")
    assert err.hint == "expected ')' or an operator"
    assert "'in'" not in (err.hint or "")


def test_a_name_split_at_a_keyword_is_reported_whole():
    # `indices` once lexed as `in dices` where the parser could take `in` next
    err = error_of("x = select(indices indices, ==);")
    assert err.message == "unexpected 'indices'"
    assert (err.span.col, err.span.end_col) == (20, 27)


def test_hints_leave_valid_calls_alone():
    parse("x = select(indices, indices, <) and select(tokens, tokens, ==);")
    parse("x = aggregate(select(indices, indices, ==), tokens, 0);")


_ARG = st.sampled_from(["indices", "tokens", "1", "(indices + 1)", "[1, 2]"])


# The grammar fixes these four's argument counts (range, zip and len are counted at run time).
@given(st.sampled_from(["aggregate", "indicator", "round", "select"]), st.lists(_ARG, max_size=5))
def test_a_primitive_with_the_wrong_number_of_arguments_names_its_form(name, args):
    low, high = ARITY[name]
    if name == "select" and len(args) >= 3:
        args = [*args[:2], "<", *args[3:]]
    source = f"x = {name}({', '.join(args)});"
    if low <= len(args) <= high:
        parse(source)
        return
    with pytest.raises(RaspError) as caught:
        parse(source)
    assert f"{name} takes" in caught.value.message
    assert caught.value.hint == PRIMITIVES[name]


LIBRARY_FUNCTIONS = ["selector_width", "load_from_location", "mark_first_instance", "aggregate"]


@given(st.sampled_from([*LIBRARY_FUNCTIONS, "select"]), st.data())
def test_one_letter_dropped_is_suggested_back(name, data):
    at = data.draw(st.integers(0, len(name) - 1))
    typo = name[:at] + name[at + 1 :]
    err = error_of(f"x = {typo}(indices, indices);")
    assert err.message == f"unknown name '{typo}'"
    assert f"'{name}'" in (err.hint or "")
