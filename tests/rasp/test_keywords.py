"""rasp.parser.KEYWORDS is the grammar's own list of reserved words."""

import re
from importlib import resources

import pytest
from rasplab.rasp import RaspError, parse
from rasplab.rasp.parser import KEYWORDS

GRAMMAR = resources.files("rasplab.rasp").joinpath("grammar.lark").read_text()


def test_the_name_terminal_excludes_exactly_the_keywords():
    lookahead = re.search(r"^NAME: /\(\?!\(([a-z|]+)\)", GRAMMAR, re.MULTILINE)
    assert lookahead is not None
    assert set(lookahead.group(1).split("|")) == KEYWORDS


@pytest.mark.parametrize("word", sorted(KEYWORDS))
def test_no_keyword_can_be_assigned(word):
    with pytest.raises(RaspError):
        parse(f"{word} = 1;")
