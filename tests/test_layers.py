"""The folders show the domains, and imports only point down:

cli → output → delivery/documents/reports → funding/impact → ledger → register → store → values

A module may import its own package or a lower layer, never a higher one or a sibling at its
own level. Imports inside functions count too: a lazy import is still a dependency.
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "filmklynge"
README = PACKAGE.parent / "README.md"

# Top-level modules are value types (no SQL, no I/O policy): one layer they all share.
VALUES = {"errors", "money", "dates", "identifiers", "kid", "safe_write", "tablefile", "text"}
LAYERS = [
    {"__init__", *VALUES},
    {"store"},
    {"register"},
    {"ledger"},
    {"funding", "impact"},
    {"delivery", "documents", "reports"},
    {"output"},
    {"cli"},
    {"__main__"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
PRESENTATION = {"cli", "output"}  # the only places that may know typer and rich


def unit_of(module: str) -> str:
    """The layer unit of a dotted module name inside the package: its package, or for a
    top-level module the module itself ('values' for the value types)."""
    part = module.split(".")[1] if "." in module else "__init__"
    return "values" if part in VALUES or part == "__init__" else part


def rank_of(unit: str) -> int:
    return 0 if unit == "values" else RANK[unit]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        yield ".".join(parts), path


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from filmklynge import audit` imports the submodule filmklynge.audit
            if node.module == "filmklynge":
                found += [
                    (node.lineno, f"filmklynge.{a.name}")
                    for a in node.names
                    if (PACKAGE / f"{a.name}.py").exists() or (PACKAGE / a.name).is_dir()
                ]
    return found


def test_every_package_is_in_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert packages | top <= set(RANK) | VALUES, "add the new package or module to LAYERS"


def test_imports_point_down():
    upward = []
    for name, path in modules():
        here = unit_of(name)
        for line, target in imports_of(path):
            if not target.startswith("filmklynge.") or target == "filmklynge":
                continue
            there = unit_of(target)
            if there == here:
                continue
            if rank_of(there) >= rank_of(here):
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert upward == []


def test_only_the_cli_and_output_know_typer_and_rich():
    leaks = []
    for name, path in modules():
        if unit_of(name) in PRESENTATION:
            continue
        for line, target in imports_of(path):
            if target.split(".")[0] in {"typer", "rich", "click"}:
                leaks.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert leaks == []


def test_the_layer_test_catches_an_upward_import(tmp_path):
    """The check itself can fail: a ledger module importing the CLI is found."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from filmklynge.cli import app\n")
    found = imports_of(bad)
    assert found == [(2, "filmklynge.cli")]
    assert rank_of(unit_of(found[0][1])) > rank_of(unit_of("filmklynge.ledger.invoicing"))


def test_readme_code_map_matches_the_tree():
    text = README.read_text()
    section = text.split("### Code map", 1)[1].split("\n#", 1)[0]
    mapped = set(re.findall(r"^- `filmklynge/(\w+)/`", section, flags=re.M))
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert mapped == packages
