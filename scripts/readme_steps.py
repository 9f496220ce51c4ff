"""The README's walkthrough as data: every `filmklynge` command in its bash blocks, in order.

Used by tests/test_readme.py (which runs them all) and scripts/make_examples.py (which builds
the example bank file from the invoices the walkthrough creates).
"""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def steps(readme: Path = ROOT / "README.md") -> tuple[dict[str, str], list[list[str]]]:
    """(environment set with `export`, the argument lists after `filmklynge`) of the walkthrough
    sections: everything after the Quick start."""
    text = readme.read_text(encoding="utf-8")
    text = text[text.index("## The administrator's first day") :]
    env: dict[str, str] = {}
    commands: list[list[str]] = []
    in_block = False
    pending = ""
    for line in text.splitlines():
        if line.startswith("```"):
            in_block = line.startswith("```bash")
            continue
        if not in_block:
            continue
        pending += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        words = shlex.split(pending, comments=True)
        pending = ""
        if not words:
            continue
        if words[0] == "export":
            key, _, value = words[1].partition("=")
            env[key] = value
        elif words[0] == "filmklynge":
            commands.append(words[1:])
    return env, commands
