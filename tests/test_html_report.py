"""`compare-html` in a real browser: the page renders offline in headless Chromium, draws its charts
from the embedded JSON and logs no console error.

Chromium is driven through its command line only (no extra Python dependency): `--dump-dom` gives the
DOM after the scripts ran, `--screenshot` a PNG (kept under the test's tmp_path), and
`--enable-logging=stderr --v=0` the console, where an uncaught exception shows as "Uncaught …".
Without /usr/bin/chromium the browser tests are skipped locally and fail in CI (CI set).
"""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from tanso.cli import main

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: the page must work offline
         "--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0"]

pytestmark = pytest.mark.browser


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; CI must install the Debian package 'chromium' (see .ci/run)")
    pytest.skip(f"headless Chromium is not installed ({CHROMIUM}; Debian package 'chromium'); "
                "these browser tests run in CI")


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    profile.mkdir(parents=True, exist_ok=True)
    command = [str(_chromium()), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "Uncaught" in line or "ERROR:CONSOLE" in line]


class _Tree(HTMLParser):
    """Counts the tags inside each element with an id, and keeps every element's attributes and text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.inside: dict[str, dict[str, int]] = {}
        self.text: dict[str, list[str]] = {}
        self.attributes: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for _, owner in self.stack:
            if owner is not None:
                self.inside[owner][tag] = self.inside[owner].get(tag, 0) + 1
        if tag in self.VOID:
            return
        owner = attrs.get("id")
        if owner is not None:
            self.inside.setdefault(owner, {})
            self.text.setdefault(owner, [])
            self.attributes[owner] = attrs
        self.stack.append((tag, owner))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        for _, owner in self.stack:
            if owner is not None:
                self.text[owner].append(data)


def parse(markup: str) -> _Tree:
    tree = _Tree()
    tree.feed(markup)
    tree.close()
    return tree


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A real comparison: the GHG Protocol ruleset vs the same with AR6 GWPs and equity share, on ACME."""
    out = tmp_path_factory.mktemp("compare")
    outcome = CliRunner().invoke(main, [
        "compare", str(REPO / "rulesets" / "ghgp-current"), "--data", str(REPO / "examples" / "acme" / "data"),
        "--set", "gwp.set=AR6", "--set", "boundary.approach=equity_share", "--out", str(out), "--format", "html"],
        catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    page = out / "comparison.html"
    assert page.is_file()
    assert outcome.output.startswith("<!DOCTYPE html>")  # --format html prints the page too
    return page, json.loads((out / "comparison.json").read_text())


# ------------------------------------------------------------------------------------------- detector


def test_the_console_error_detector_catches_a_broken_script(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><p id='p'>x</p><script>"
                      "document.getElementById('p').textContent = 'ran'; notDefinedAnywhere();</script></body></html>")
    clean = tmp_path / "clean.html"
    clean.write_text("<!DOCTYPE html><html><body><p id='p'>x</p><script>"
                     "document.getElementById('p').textContent = 'ran';</script></body></html>")
    bad = run_chromium(broken, tmp_path / "profile-broken", "--dump-dom")
    good = run_chromium(clean, tmp_path / "profile-clean", "--dump-dom")
    assert bad.returncode == 0 and good.returncode == 0, bad.stderr[-2000:]
    assert ">ran<" in bad.stdout and ">ran<" in good.stdout          # the scripts ran before the dump
    errors = console_errors(bad.stderr)
    assert errors and "notDefinedAnywhere" in errors[0], bad.stderr[-2000:]
    assert console_errors(good.stderr) == [] and console_messages(good.stderr) == []


# ------------------------------------------------------------------------------------------- the page


def test_the_page_is_self_contained_and_embeds_the_comparison_safely(report):
    page, comparison_json = report
    markup = page.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", markup, re.I)
    assert not re.search(r"<link\b", markup, re.I)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", markup, re.I)
    assert "@import" not in markup and not re.search(r"url\(\s*['\"]?(?:https?:)?//", markup, re.I)
    block = re.search(r'<script type="application/json" id="data">(.*?)</script>', markup, re.S)
    assert block is not None
    assert "</" not in block.group(1) and "<!--" not in block.group(1)
    data = json.loads(block.group(1))
    assert {k: v for k, v in data.items() if k != "report"} == comparison_json   # the JSON reporter's document
    assert [c["name"] for c in data["changes"]] == ["boundary.approach", "gwp.set"]
    tables = parse(markup)
    for section in ("headline", "attribution", "scope-category", "method-mix", "options", "assumptions"):
        assert section in tables.inside, section
    options = " ".join(tables.text["options"])
    assert "operational_control → equity_share" in options and "AR5 → AR6" in options
    assert "scope2.market.matching" in options                          # every policy option, not only the changed
    assumptions = " ".join(" ".join(tables.text["assumptions"]).split())
    assert "examples/acme/data" in assumptions and comparison_json["base"]["digest"] in assumptions
    assert "exact in the ledger" in assumptions
    assert "s3.cat15.equity_investments" in assumptions                 # the row that moved most


def test_chromium_draws_the_charts_with_no_console_error(report, tmp_path):
    page, comparison_json = report
    outcome = run_chromium(page, tmp_path / "profile", "--dump-dom")
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert console_errors(outcome.stderr) == [], console_errors(outcome.stderr)
    assert console_messages(outcome.stderr) == [], console_messages(outcome.stderr)   # the page logs nothing
    dom = parse(outcome.stdout)
    assert dom.attributes["chart-error"].get("hidden") is not None
    assert re.search(r'<body[^>]*data-rendered="ok"', outcome.stdout)

    headlines = comparison_json["headlines"]
    assert [h["basis"] for h in headlines] == ["location", "market"]
    changes = len(comparison_json["changes"])
    # One waterfall per basis: current, one bar per change, revised.
    assert dom.inside["waterfall"].get("svg") == len(headlines)
    assert dom.inside["waterfall"].get("rect") == len(headlines) * (changes + 2)
    waterfall_text = " ".join(dom.text["waterfall"])
    for h in headlines:
        for key in ("base_kg", "revised_kg"):
            assert f"{float(Decimal(h[key])) / 1000:,.1f}" in waterfall_text    # t CO2e, thousands separators
    # Stacked bars: a segment per scope / category with emissions, for current and revised of each basis.
    segments = sum(2 for h in headlines for r in comparison_json["deltas"]["scope_category"]
                   if (r["basis"] in (None, h["basis"])) and Decimal(r["base_kg"]) > 0 and Decimal(r["revised_kg"]) > 0)
    assert dom.inside["scopes"].get("rect", 0) >= segments
    assert dom.inside["scopes-legend"].get("li", 0) >= 3
    assert dom.inside["methodmix"].get("rect", 0) >= 2 * 15          # current and revised bars of each category
    assert dom.inside["methodmix-legend"].get("li", 0) >= 5
    for chart in ("waterfall", "scopes", "methodmix"):
        assert dom.inside[chart].get("title", 0) >= 1 and dom.inside[chart].get("desc", 0) >= 1   # accessible names


def test_chromium_screenshot(report, tmp_path):
    page, _ = report
    shot = tmp_path / "report.png"
    outcome = run_chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2400")
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert console_errors(outcome.stderr) == []
    content = shot.read_bytes()
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", content[16:24]) == (1280, 2400)
    assert len(content) > 50_000    # a drawn page, not a blank one
