"""The `rasp tasks` table: aligned columns, compilable hypotheses marked."""

from rasplab.tasks import format_task_table, task_table


def row(name, vocab_size, max_len, hypotheses, description):
    return {
        "name": name,
        "vocab_size": vocab_size,
        "max_len": max_len,
        "hypotheses": [{"name": h, "compilable": c} for h, c in hypotheses],
        "description": description,
    }


def test_columns_are_aligned_and_compilable_hypotheses_marked():
    rows = [
        row("sort5", 10, 5, [("rank", True), ("count", True)], "sort 5 digits"),
        row("mod_add", 114, 3, [("table", True), ("fourier", False)], "(a + b) mod 113"),
    ]
    assert format_task_table(rows).splitlines() == [
        "name     vocab  max_len  hypotheses       description",
        "sort5    10     5        rank*, count*    sort 5 digits",
        "mod_add  114    3        table*, fourier  (a + b) mod 113",
        "",
        "* compilable by `rasp compile`",
    ]


def test_every_registered_task_has_a_line():
    rows = task_table()
    lines = format_task_table(rows).splitlines()
    assert len(lines) == 1 + len(rows) + 2
    assert [line.split()[0] for line in lines[1 : 1 + len(rows)]] == [r["name"] for r in rows]
