"""Differential test: random well-formed programs compile, and the compiled model
agrees with the interpreter on every input up to max_len."""

from hypothesis import given
from rasplab.compiler import compile_program
from rasplab.compiler.verify import verify
from rasplab.rasp import Session
from rasplab.rasp.testing import programs


@given(programs(max_len=4, max_nodes=16))
def test_random_programs_compile_exactly(generated):
    session = Session()
    session.exec(generated.source)
    program = session.program(generated.output)
    compiled = compile_program(program, list(generated.vocab), generated.max_len)
    result = verify(program, compiled)
    assert result.exhaustive
    assert result.fraction == 1.0, (generated.source, result.mismatches)
