"""A report page as a person sees it, measured in headless Chromium (driven through its command line:
`--dump-dom` after a measuring script ran, `--screenshot`, console on stderr).

`measure(page, width)` loads a copy of the page with MEASURE appended and returns what it found in the
laid-out DOM:
- `overlaps`: two text boxes (HTML text or SVG chart text) that cover each other;
- `clipped`: text outside the box of an ancestor that hides its overflow, outside its chart, or outside
  the window (the page scrolls sideways: `scroll_width`);
- `broken`: a line break between two letters or digits of one word (e.g. "polic|y", "tan|so:24");
- `truncated`: a chart label cut with an ellipsis;
- `disagree`: a chart's embedded rows whose value label is missing from its table row or from the chart;
- the console errors the page logged.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: the page must work offline
         "--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0"]

MEASURE = r"""
<script>
(function () {
  var out = {overlaps: [], clipped: [], broken: [], truncated: [], disagree: [], boxes: 0,
             scroll_width: document.documentElement.scrollWidth, width: window.innerWidth};
  var boxes = [], word = /[A-Za-z0-9]/;
  function shown(element) {
    for (var e = element; e; e = e.parentElement) {
      if (e.tagName === 'DETAILS' && !e.open && e !== element) {
        var summary = e.querySelector('summary');
        if (!summary || !summary.contains(element)) { return false; }
      }
    }
    return true;
  }
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT), node, id = 0;
  while ((node = walker.nextNode())) {
    var element = node.parentElement, text = node.textContent;
    if (!text.trim() || !element || element.closest('script, style, title, desc') || !shown(element)) { continue; }
    id += 1;
    var svg = element.closest('svg');
    var rects = [];
    if (svg) {
      rects = [element.getBoundingClientRect()];
      if (text.indexOf('\u2026') !== -1) { out.truncated.push(text); }
    } else {
      var range = document.createRange();
      range.selectNodeContents(node);
      rects = Array.prototype.slice.call(range.getClientRects());
      if (rects.length > 1) {   // where does the text wrap?
        var top = null;
        for (var i = 0; i < text.length; i++) {
          range.setStart(node, i); range.setEnd(node, i + 1);
          var r = range.getBoundingClientRect();
          if (!r.width) { continue; }
          if (top !== null && r.top > top + 2 && word.test(text[i]) && i > 0 && word.test(text[i - 1])) {
            out.broken.push(text.slice(Math.max(0, i - 20), i) + '|' + text.slice(i, i + 20));
          }
          top = r.top;
        }
      }
    }
    rects.forEach(function (r) {
      if (r.width > 0 && r.height > 0) {
        boxes.push({id: id, left: r.left + scrollX, right: r.right + scrollX, top: r.top + scrollY,
                    bottom: r.bottom + scrollY, text: text.trim().slice(0, 60), element: element, svg: svg});
      }
    });
  }
  out.boxes = boxes.length;
  boxes.sort(function (a, b) { return a.top - b.top; });
  for (var i = 0; i < boxes.length; i++) {
    var a = boxes[i];
    for (var j = i + 1; j < boxes.length && boxes[j].top < a.bottom - 2; j++) {
      var b = boxes[j];
      if (a.id === b.id) { continue; }
      var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 2 && h > 2) { out.overlaps.push(a.text + ' ⨯ ' + b.text); }
    }
    var limit = a.svg ? [a.svg] : [];
    for (var e = a.svg ? a.svg.parentElement : a.element; e && e !== document.body; e = e.parentElement) {
      var style = getComputedStyle(e);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') { limit.push(e); }
    }
    limit.forEach(function (e) {
      var r = e.getBoundingClientRect();
      if (a.left < r.left + scrollX - 1 || a.right > r.right + scrollX + 1 || a.top < r.top + scrollY - 1 ||
          a.bottom > r.bottom + scrollY + 1) {
        out.clipped.push(a.text + ' (outside ' + e.tagName + (e.id ? '#' + e.id : '') + ')');
      }
    });
    if (a.left < -1 || a.right > window.innerWidth + 1) { out.clipped.push(a.text + ' (outside the window)'); }
  }
  document.querySelectorAll('script.chart-data').forEach(function (block) {
    var chart = block.getAttribute('data-chart'), rows = JSON.parse(block.textContent);
    var drawn = Array.prototype.map.call(document.querySelectorAll('#' + chart + ' svg text'),
                                         function (t) { return t.textContent.trim(); });
    var table = document.querySelector('table[data-chart="' + chart + '"]');
    rows.forEach(function (row) {
      if (!row.text) { return; }
      if (drawn.indexOf(row.text) === -1) { out.disagree.push(chart + ': ' + row.text + ' not drawn'); }
      if (table && row.key) {
        var tr = table.querySelector('tr[data-key="' + CSS.escape(row.key) + '"]');
        var cells = tr ? Array.prototype.map.call(tr.children, function (c) { return c.textContent.trim(); }) : [];
        if (cells.indexOf(row.text) === -1) {
          out.disagree.push(chart + ': ' + row.key + ' ' + row.text + ' not in its table row ' + JSON.stringify(cells));
        }
      }
    });
  });
  var pre = document.createElement('pre');
  pre.id = 'layout-measured';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def page_text(markup: str) -> str:
    """A page's words as read, without a browser: its tags dropped, entities unescaped, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup.replace("<wbr>", ""))).split())


def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; CI must install the Debian package 'chromium' (see .ci/run)")
    pytest.skip(f"headless Chromium is not installed ({CHROMIUM}; Debian package 'chromium'); "
                "these browser tests run in CI")


def run_chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    profile.mkdir(parents=True, exist_ok=True)
    command = [str(chromium()), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "Uncaught" in line or "ERROR:CONSOLE" in line]


def measure(page: Path, width: int, work: Path) -> dict:
    """The page laid out `width` px wide, measured (see the module's docstring)."""
    copy = work / f"measured-{width}-{page.name}"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    outcome = run_chromium(copy, work / f"profile-{width}", "--dump-dom", f"--window-size={width},1000")
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    found = re.search(r'<pre id="layout-measured">(.*?)</pre>', outcome.stdout, re.S)
    assert found is not None, "the measuring script did not run: " + "\n".join(console_errors(outcome.stderr))
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return {**json.loads(text), "console": console_errors(outcome.stderr)}


def screenshot(page: Path, width: int, height: int, target: Path) -> bytes:
    outcome = run_chromium(page, target.parent / f"profile-shot-{width}", f"--screenshot={target}",
                           f"--window-size={width},{height}")
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert console_errors(outcome.stderr) == []
    return target.read_bytes()


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]
