"""Hypothesis strategies for RASP, for this project's tests and for users' own.

Two families, for two kinds of test:

* syntax (`syntax`): `ast_exprs()`, `ast_statements()` and `ast_modules()` draw
  arbitrary syntactically valid ASTs (rarely meaningful; names from
  `identifiers`), for round-trip tests of the printer and the parser;
* programs (`programs`): `programs()` draws `GeneratedProgram`s, well-formed
  RASP source that evaluates without error on every input over a vocabulary
  up to a length, for the interpreter's properties and the compiler's
  differential tests; `inputs()` draws inputs to run them on, `vocabs` small
  vocabularies.

Programs are safe by construction: an abstract interpreter (`analyser`)
follows every s-op's possible values (`values`: a finite set, or bounds for
floats) and which s-ops hold distinct values at every position, and the
generator (`programs`, with `expressions` writing the expressions) keeps only
statements it proves safe. `GeneratedProgram` lists the guarantees.

`same()` compares RASP values with their types, as tests of outputs need.
"""

from rasplab.rasp.testing.equality import same
from rasplab.rasp.testing.programs import GeneratedProgram, inputs, programs, vocabs
from rasplab.rasp.testing.syntax import ast_exprs, ast_modules, ast_statements, identifiers
from rasplab.rasp.testing.values import VALUE_CAP, Atom

__all__ = [
    "VALUE_CAP",
    "Atom",
    "GeneratedProgram",
    "ast_exprs",
    "ast_modules",
    "ast_statements",
    "identifiers",
    "inputs",
    "programs",
    "same",
    "vocabs",
]
