"""Statement and expression semantics of the interpreter, as the REPL defines them."""

import pytest
from rasplab.rasp import RaspError, Session


@pytest.fixture
def s():
    return Session()


def atom(s, expr):
    value = s.eval(expr)
    assert value.kind in ("atom", "list", "dict")
    return value.value


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("2^3^2", 64),  # ^ is left-associative
        ("7 % 3 * 2", 1),  # % is looser than *
        ("1 + 7 % 4", 4),  # and tighter than +
        ("-2 * 3", -6),
        ("not 1 == 0", True),  # (not 1) == 0
        ("1 in [0] and [1]", True),  # 1 in ([0] and [1])
        ("0 or 2 and 3", 3),  # (0 or 2) and 3
        ("1 if 0 else 2 if 1 else 3", 2),  # ((1 if 0 else 2) if 1 else 3)
        ("3 and 4", 4),
        ("7 / 2", 3.5),
        ("-7 % 3", 2),
        ('"a" + "b"', "ab"),
        ("round(2.5)", 2),
        ("indicator(3)", 1),
        ("len(range(2, 10, 3))", 3),
        ("zip([1, 2], [3, 4])", [[1, 3], [2, 4]]),
        ("[x * 2 for x in range(3)]", [0, 2, 4]),
        ("{k: k + 1 for k in [1, 2]}", {1: 2, 2: 3}),
        ('{"a": 1}["a"]', 1),
        ("[1, 2, 3][-1]", 3),
    ],
)
def test_atom_expressions(s, expr, expected):
    result = atom(s, expr)
    assert result == expected and type(result) is type(expected)


def test_closures_look_names_up_at_call_time(s):
    s.exec("def f() { return x; } x = 1;")
    assert atom(s, "f()") == 1
    s.exec("x = 2;")
    assert atom(s, "f()") == 2


def test_nested_defs_several_returns_and_unpacking(s):
    s.exec(
        """
        def outer(a) {
            def inner(b) { return a + b; }
            return inner(1), inner(2);
        }
        p, q = outer(10);
        r, t = 5, 6;
        """
    )
    assert [atom(s, n) for n in "pqrt"] == [11, 12, 5, 6]


def test_assignments_inside_a_call_are_local(s):
    s.exec("y = 1; def f() { y = 2; return y; } z = f();")
    assert atom(s, "y") == 1 and atom(s, "z") == 2


def test_for_loops_write_into_the_enclosing_scope(s):
    s.exec(
        """
        total = 0;
        for k in {"a": 1, "b": 2} { total = total + 1; last = k; }
        for a, b in zip([1, 2], [10, 20]) { total = total + a * b; }
        """
    )
    assert atom(s, "total") == 2 + 10 + 40
    assert atom(s, "last") == "b"


def test_bare_expression_binds_out(s):
    assert s.exec("1 + 2;") == 3
    assert atom(s, "out") == 3


def test_atom_condition_evaluates_only_the_chosen_branch(s):
    assert atom(s, "1 if True else no_such_name") == 1
    with pytest.raises(RaspError, match="no_such_name"):
        s.eval("no_such_name if True else 1")


def test_sop_condition_is_elementwise(s):
    assert s.eval('indices if tokens == "a" else -1', "aba").value == [0, -1, 2]


def test_applying_an_sop_to_an_input(s):
    assert atom(s, '(indices + 1)("abc")') == [1, 2, 3]
    assert atom(s, 'select(indices, indices, ==)("ab")') == [[1, 0], [0, 1]]


def test_tokens_can_be_reassigned(s):
    s.exec("tokens = tokens_int; doubled = tokens * 2;")
    assert s.eval("doubled", [1, 2]).value == [2, 4]


def test_sop_index_and_lookup(s):
    assert s.eval("tokens[1]", "xyz").value == ["y"] * 3
    assert s.eval('{"a": 1, "b": 2}[tokens]', "ab").value == [1, 2]
    assert s.eval("[10, 20, 30][indices]", "abc").value == [10, 20, 30]
    with pytest.raises(RaspError, match="lookup"):
        s.eval("[10, 20][indices]", "abc")


def test_library_names_are_protected_but_tokens_is_not(s):
    with pytest.raises(RaspError, match="cannot be redefined"):
        s.exec("length = 3;")
    with pytest.raises(RaspError, match="cannot be redefined"):
        s.exec("def sort(a, b) { return a; }")
    s.exec("tokens = tokens_int;")


def test_load_copies_public_names_only(s, tmp_path):
    (tmp_path / "helpers.rasp").write_text("_private = 1; public = _private + 1;")
    s.exec(f'load "{tmp_path / "helpers"}";')
    assert atom(s, "public") == 2
    with pytest.raises(RaspError, match="unknown name '_private'"):
        s.eval("_private")


def test_load_of_a_missing_file_is_located(s):
    with pytest.raises(RaspError) as err:
        s.exec('x = 1;\nload "nowhere";', "main.rasp")
    assert str(err.value).startswith("main.rasp:2:1: error: cannot load 'nowhere'")


def test_unknown_name_suggests_close_names(s):
    with pytest.raises(RaspError) as err:
        s.eval("lenght")
    assert "did you mean 'length'" in str(err.value)


def test_wrong_argument_count_names_the_parameters(s):
    with pytest.raises(RaspError, match=r"count\(\) takes 2 argument\(s\) \(seq, atom\), 1 given"):
        s.eval("count(tokens)")


def test_error_message_has_location_and_caret(s):
    with pytest.raises(RaspError) as err:
        s.exec("a = 1;\nb = a + ;\n", "prog.rasp")
    text = str(err.value)
    assert text.splitlines()[0].startswith("prog.rasp:2:9: error: unexpected ';'")
    assert "    b = a + ;\n            ^" in text


def test_runtime_error_inside_library_shows_the_call_site(s):
    s.exec("bad = average(tokens);", "user.rasp")
    with pytest.raises(RaspError) as err:
        s.eval("bad", "ab")
    text = str(err.value)
    assert "rasplib.rasp" in text and "called from user.rasp:1:7" in text
    assert "mean of strings" in text and "'ab'" in text


def test_sequence_mixing_strings_and_ints_is_an_error(s):
    with pytest.raises(RaspError, match="mixes"):
        s.eval('"x" if indices == 0 else 1', "ab")


def test_string_ordering_against_ints_is_an_error(s):
    with pytest.raises(RaspError, match="'<'"):
        s.eval("select(tokens, 1, <)", "ab")


def test_division_by_zero_is_located_in_the_sop(s):
    with pytest.raises(RaspError, match="division by zero"):
        s.eval("1 / indices", "ab")


def test_inputs_are_checked(s):
    with pytest.raises(RaspError, match="empty"):
        s.eval("tokens", "")
    with pytest.raises(RaspError, match="mixes strings with numbers"):
        s.eval("tokens", [1, "a"])
    with pytest.raises(RaspError, match="token 'x' is not an int"):
        s.eval("tokens_int", "1x")


def test_selectors_and_sops_do_not_mix(s):
    with pytest.raises(RaspError, match="selectors combine only with selectors"):
        s.eval("select(indices, indices, ==) and indices")


def test_return_outside_function(s):
    with pytest.raises(RaspError, match="'return' outside a function"):
        s.exec("return 1;")


def test_runaway_recursion_is_an_error(s):
    s.exec("def f(x) { return f(x); }")
    with pytest.raises(RaspError, match="nested deeper"):
        s.eval("f(1)")


def test_numerical_and_categorical_mark_the_encoding(s):
    s.exec('x = numerical(aggregate(full_s, indicator(tokens == "a")));')
    assert s.get("x").encoding == "numerical"
    with pytest.raises(RaspError, match="marks an s-op"):
        s.exec("y = categorical(3);")
