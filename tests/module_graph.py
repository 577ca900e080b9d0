"""The import graph of classroom/, read with `ast` (nothing is imported or run).

`python -m tests.module_graph` prints the upward and function-level imports against the layer
table in tests/test_architecture.py; the test uses the same functions.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "classroom"


@dataclass(frozen=True)
class Import:
    """One `import` statement's target, as seen from the module that holds it."""

    source: str  # dotted module name, e.g. classroom.worries.views
    target: str  # dotted module name imported, e.g. classroom.lessons.maps
    line: int
    lazy: bool  # inside a function body (run on call, not at import time)
    type_only: bool  # under `if TYPE_CHECKING:` (never run)
    text: str  # the source line, or the comment heading its block of imports

    def __str__(self) -> str:
        return f"{self.source}:{self.line} -> {self.target}"


def module_name(path: Path) -> str:
    """Dotted name of a file under the project root."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether a dotted classroom name is a module or package on disk."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def source_files() -> Iterator[Path]:
    """Every Python file of the package except Alembic's generated revisions."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if "versions" not in path.relative_to(PACKAGE).parts:
            yield path


def _targets(node: ast.Import | ast.ImportFrom, source: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        anchor = source.split(".")
        if not is_package:
            anchor.pop()
        anchor = anchor[: len(anchor) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    # `from classroom import policy` imports the module classroom.policy, not the package.
    names = [f"{base}.{alias.name}" for alias in node.names]
    found = [name for name in names if is_module(name)]
    return found or [base]


def _in_type_checking(ancestors: list[ast.AST]) -> bool:
    for node in ancestors:
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", "")
            if name == "TYPE_CHECKING":
                return True
    return False


def _why_line(lines: list[str], line: int) -> str:
    """The import's own line, or the comment line just above the block of imports it is in."""
    text = lines[line - 1]
    if "lazy:" in text:
        return text
    index = line - 2
    while index >= 0 and lines[index].strip().startswith(("from ", "import ")):
        index -= 1
    above = lines[index].strip() if index >= 0 else ""
    return above if above.startswith("#") else text


def imports_in(path: Path) -> list[Import]:
    """Every import of a classroom module in one file."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    source = module_name(path)
    found: list[Import] = []

    def visit(node: ast.AST, ancestors: list[ast.AST]) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            lazy = any(isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef) for a in ancestors)
            found.extend(
                Import(
                    source,
                    target,
                    node.lineno,
                    lazy,
                    _in_type_checking(ancestors),
                    _why_line(lines, node.lineno),
                )
                for target in _targets(node, source, path.name == "__init__.py")
                if target == "classroom" or target.startswith("classroom.")
            )
        for child in ast.iter_child_nodes(node):
            visit(child, [*ancestors, node])

    visit(ast.parse(text), [])
    return found


def all_imports() -> list[Import]:
    """The whole graph: every classroom-to-classroom import."""
    return [found for path in source_files() for found in imports_in(path)]


def main() -> None:
    """Print the counts the architecture test checks (of this tree, or of the one named)."""
    from tests.test_architecture import function_level, upward  # noqa: PLC0415 - lazy: that test imports us

    global ROOT, PACKAGE
    if len(sys.argv) > 1:
        ROOT = Path(sys.argv[1]).resolve()
        PACKAGE = ROOT / "classroom"
    graph = all_imports()
    up = upward(graph)
    lazy = function_level(graph)
    print(f"{len(graph)} imports; {len(up)} upward; {len(lazy)} function-level")
    for found in up:
        print("  up  ", found)
    for found in lazy:
        print("  lazy", found)


if __name__ == "__main__":
    main()
