"""Every command documents itself: a help line on every flag, an example of every
subcommand in `rasp --help`."""

import argparse

import pytest

from rasplab.cli import build_parser, main


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


def test_every_flag_and_argument_has_help():
    missing = [
        f"rasp {name} {action.option_strings or action.dest}"
        for name, parser in subcommands().items()
        for action in parser._actions
        if not action.help or action.help == argparse.SUPPRESS
    ]
    assert missing == []


def test_the_top_level_help_has_an_example_of_every_subcommand(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    examples = text[text.index("examples") :]
    lines = [line.split() for line in examples.splitlines()]
    for name in subcommands():
        assert ["rasp", name] in [words[:2] for words in lines], f"no example of rasp {name}"
    assert ["rasp"] in [words[:1] for words in lines if len(words) > 1 and words[1] == "start"]


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_each_subcommand_help_exits_0(capsys, name):
    with pytest.raises(SystemExit) as done:
        main([name, "--help"])
    assert done.value.code == 0
    assert f"usage: rasp {name}" in capsys.readouterr().out
