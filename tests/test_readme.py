"""The README shows what the demo prints: its first lines of `tanso evaluate` on the Acme data are
re-performed here, so a change to the ruleset, the data or the wording cannot leave the README stale."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ELLIPSIS = "…"


def _first_output_block(readme: str) -> list[str]:
    """The lines of the README's first code block without a language (the demo's output; commands are `bash`)."""
    opening, block = None, []
    for line in readme.splitlines():
        if opening is None:
            if line.startswith("```"):
                opening = line
        elif line == "```":
            if opening == "```":
                return block
            opening, block = None, []
        else:
            block.append(line)
    raise AssertionError("README.md has no output block after its set-up commands")


def _pattern(line: str) -> re.Pattern[str]:
    """A README line as a pattern: `…` stands for any text the README leaves out."""
    return re.compile(".*".join(re.escape(part) for part in line.split(ELLIPSIS)) + r"\Z")


def test_the_readme_shows_the_first_lines_the_demo_prints(tmp_path):
    shown = _first_output_block((REPO / "README.md").read_text(encoding="utf-8"))
    done = subprocess.run([sys.executable, "-m", "tanso.cli", "evaluate", "rulesets/ghgp-current",
                           "--data", "examples/acme/data", "--out", str(tmp_path / "acme")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    for number, line in enumerate(shown):
        if line.strip() == ELLIPSIS:          # "and more lines": the README stops showing here
            break
        assert number < len(printed), f"README line {number + 1} is not printed: {line!r}"
        assert _pattern(line).match(printed[number]), (
            f"README's demo output, line {number + 1}:\n  README:  {line}\n  printed: {printed[number]}")
