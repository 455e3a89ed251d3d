"""Import directions between the packages (DESIGN.md, "Layout"), read from the source
with `ast`, so a cycle or an upward import fails here before it confuses a user.

Every import counts: at module level, inside functions, under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# folder -> (its import name, the rasplab modules it may import besides itself)
PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "rasp": ("rasplab.rasp", ()),
    "tasks": ("rasplab.tasks", ("rasplab.rasp",)),
    "compiler": ("rasplab.compiler", ("rasplab.rasp", "rasplab.model", "rasplab.atomic")),
    "compare": (
        "rasplab.compare",
        (
            "rasplab.rasp",
            "rasplab.compiler",
            "rasplab.tasks",
            "rasplab.model",
            "rasplab.atomic",
            "rasplab.jsonsafe",
            # compare/__init__ makes `rasplab.compare(...)` callable (the front door)
            "rasplab.callable_module",
        ),
    ),
    "rasplab/model": ("rasplab.model", ("rasplab.atomic",)),
}
# Helpers every layer may share: they import nothing of rasplab themselves.
LEAVES = ("rasplab/atomic.py", "rasplab/callable_module.py", "rasplab/jsonsafe.py")
# The names the packages were installed under before `rasplab`: importing one now
# would pick up a user's own model.py or tasks.py.
OLD_NAMES = {"rasp", "compiler", "tasks", "compare", "model", "train"}


def module_name(path: Path, folder: str, package: str) -> str:
    """The import name of the file `path` inside `folder`, installed as `package`."""
    parts = path.relative_to(ROOT / folder).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((package, *parts))


def imported(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every module name the tree imports (relative imports resolved against `module`)."""
    names: set[str] = set()
    here = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "rasplab":  # `from rasplab import tasks` imports rasplab.tasks
                names.update(f"rasplab.{alias.name}" for alias in node.names)
            else:
                names.add(target)
    return names


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", list(PACKAGES))
def test_each_package_imports_only_downward(folder):
    package, allowed = PACKAGES[folder]
    files = sources(folder)
    assert files, f"no modules under {folder}/"
    wrong = []
    for path in files:
        module = module_name(path, folder, package)
        tree = ast.parse(path.read_text(), str(path))
        for name in sorted(imported(tree, module, path.name == "__init__.py")):
            top = name.split(".")[0]
            upward = top == "rasplab" and not within(name, (package, *allowed))
            if upward or top in OLD_NAMES:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == [], f"{folder}/ may import only {package} and {allowed}"


@pytest.mark.parametrize("leaf", LEAVES)
def test_shared_helpers_import_nothing_of_rasplab(leaf):
    path = ROOT / leaf
    assert path.exists(), f"{leaf} is gone: update LEAVES"
    tree = ast.parse(path.read_text(), str(path))
    names = imported(tree, "rasplab." + path.stem, False)
    assert {n for n in names if n.split(".")[0] in {"rasplab", *OLD_NAMES}} == set()


def test_relative_imports_resolve_against_the_package():
    tree = ast.parse("from . import a\nfrom ..model import b\nfrom .c import d\n")
    assert imported(tree, "rasplab.compiler.x", False) == {
        "rasplab.compiler",
        "rasplab.model",
        "rasplab.compiler.c",
    }
    assert imported(tree, "rasplab.compiler", True) == {
        "rasplab.compiler",
        "rasplab.model",
        "rasplab.compiler.c",
    }


def test_an_upward_import_is_caught():
    tree = ast.parse("def f():\n    from rasplab import compiler\n    import rasplab.tasks.task\n")
    names = imported(tree, "rasplab.rasp.x", False)
    assert names == {"rasplab.compiler", "rasplab.tasks.task"}
    assert not within("rasplab.compiler", ("rasplab.rasp",))
    assert within("rasplab.rasp.nodes", ("rasplab.rasp",))
    assert not within("rasplab.raspx", ("rasplab.rasp",))
