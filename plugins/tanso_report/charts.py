"""The reports' charts: declarative Vega-Lite specifications built with Altair, rendered offline to
SVG (inlined in the page, so its text is real text) and PNG (a download) by vl-convert. No script and
no network at reading time.

Every chart takes its rows as plain dicts whose `text` is the label the page's table shows for the same
row (`tanso_report.pages.tonnes`), so a chart and its table cannot disagree; the rows are embedded in
the page beside the chart (`Figure.data`) for the browser tests to compare.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert

from tanso.i18n import language, t
from tanso_report.pages import data_uri

# Measured by vl-convert when it lays the labels out: DejaVu Sans (Debian's fonts-dejavu) for English,
# Noto Sans CJK JP (fonts-noto-cjk) for Japanese, whose kana and kanji DejaVu lacks.
FONTS = {"en": "DejaVu Sans", "ja": "Noto Sans CJK JP"}
UP, DOWN, TOTAL, MUTED = "#b8322a", "#22804a", "#4a5568", "#9aa3ae"
# Ten hues a reader tells apart (Tableau 10), then a neutral grey for "other": categories beyond ten are
# grouped by the caller, never given a recycled colour.
PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#17becf"]
OTHER = "#bab0ac"
LABEL_WIDTH = 480           # px for the labels of a horizontal chart's rows: none is cut
WIDTH = 520                 # px of a chart's plot area; the page scales a chart down, never up


@dataclass(frozen=True)
class Figure:
    id: str
    title: str
    description: str
    svg: str
    svg_uri: str
    png_uri: str
    data: list[dict[str, Any]]


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (chart.configure(font=FONTS.get(language(), FONTS["en"]), background="white")
            .configure_axis(labelFontSize=12, titleFontSize=12, labelColor="#1d2430", titleColor="#5b6473",
                            gridColor="#e6e9ee", titlePadding=8)   # room for CJK fonts' taller line boxes
            .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=0, orient="bottom", columns=2)
            .configure_view(stroke=None))


def _namespaced(svg: str, prefix: str) -> str:
    """Several SVGs inline in one page: their ids (clip paths, gradients) must not collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for name in sorted(ids, key=len, reverse=True):
        svg = (svg.replace(f'id="{name}"', f'id="{prefix}-{name}"')
               .replace(f"url(#{name})", f"url(#{prefix}-{name})").replace(f'href="#{name}"', f'href="#{prefix}-{name}"'))
    return svg


def figure(chart_id: str, title: str, description: str, chart: alt.TopLevelMixin, rows: list[dict]) -> Figure:
    spec = _config(chart).to_dict()
    svg = vl_convert.vegalite_to_svg(spec)
    png = vl_convert.vegalite_to_png(spec, scale=2)
    inline = _namespaced(svg, chart_id).replace(
        "<svg ", f'<svg role="img" aria-label="{_attribute(title + ". " + description)}" ', 1)
    return Figure(chart_id, title, description, inline, data_uri(svg, "image/svg+xml"), data_uri(png, "image/png"),
                  rows)


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _axis(low: float, high: float) -> alt.Axis:
    """Five ticks with as many decimals as their step needs: 0 … 200,000 or 0 … 0.030, never "0 0 0"."""
    step = (high - low) / 5 or 1
    return alt.Axis(format=f",.{max(0, -math.floor(math.log10(step)))}f", tickCount=5)


def _height(rows: int) -> int:
    return max(60, 30 * rows)


def waterfall(rows: list[dict]) -> alt.Chart:
    """Horizontal waterfall: one row per step (`label`, in order), a bar from `start` to `end` (t CO2e),
    `kind` total / up / down, and its `text` at the bar's end."""
    for order, row in enumerate(rows):
        row["order"] = order
        row["label_at"] = max(row["start"], row["end"])
    low = min([0.0] + [min(r["start"], r["end"]) for r in rows])
    high = max([0.0] + [r["label_at"] for r in rows])
    domain = [low, high + 0.22 * (high - low or 1)]    # room for the value labels right of the bars
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None,
                axis=alt.Axis(labelLimit=LABEL_WIDTH, labelFontWeight="normal")))
    bars = base.mark_bar(height={"band": 0.7}).encode(
        x=alt.X("start:Q", title=t("table.tonnes"), scale=alt.Scale(domain=domain, nice=False), axis=_axis(*domain)),
        x2="end:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=["total", "up", "down"], range=[TOTAL, UP, DOWN]),
                        legend=None))
    labels = base.mark_text(align="left", dx=5, fontSize=12).encode(x="label_at:Q", text="text:N")
    return (bars + labels).properties(width=WIDTH, height=_height(len(rows)))


def stacked(rows: list[dict], domain: list[str], totals: list[dict], other: str | None = None) -> alt.LayerChart:
    """Horizontal stacked bars: one bar per `bar` (in order), segments `segment` of `t` tonnes, coloured in
    the order of `domain` (at most ten, then the segment `other` in grey); each bar's total `text` at its end."""
    colours = [PALETTE[i] if i < len(PALETTE) and name != other else OTHER for i, name in enumerate(domain)]
    order = {name: i for i, name in enumerate(domain)}
    for row in rows:
        row["segment_order"] = order[row["segment"]]
    high = max([0.0] + [total["t"] for total in totals])
    y = alt.Y("bar:N", sort=[total["bar"] for total in totals], title=None, axis=alt.Axis(labelLimit=LABEL_WIDTH))
    bars = alt.Chart(alt.Data(values=rows)).mark_bar(height={"band": 0.7}, stroke="white", strokeWidth=0.5).encode(
        y=y, x=alt.X("t:Q", stack="zero", title=t("table.tonnes"), scale=alt.Scale(domain=[0, high * 1.2], nice=False),
                     axis=_axis(0, high * 1.2)),
        color=alt.Color("segment:N", scale=alt.Scale(domain=domain, range=colours), title=None),
        order=alt.Order("segment_order:Q"))
    labels = alt.Chart(alt.Data(values=totals)).mark_text(align="left", dx=5, fontSize=12, fontWeight="bold").encode(
        y=y, x="t:Q", text="text:N")
    return (bars + labels).properties(width=WIDTH, height=_height(len(totals)))


def paired(rows: list[dict], labels: list[str], runs: list[str]) -> alt.Chart:
    """Horizontal bars, the two `runs` (current, revised) side by side for each `label` (in the order
    given), `t` tonnes, each with its `text`."""
    high = max([0.0] + [r["t"] for r in rows])
    low = min([0.0] + [r["t"] for r in rows])
    y = alt.Y("label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=LABEL_WIDTH))
    offset = alt.YOffset("run:N", sort=runs)
    base = alt.Chart(alt.Data(values=rows)).encode(y=y, yOffset=offset)
    bars = base.mark_bar().encode(
        x=alt.X("t:Q", title=t("table.tonnes"), scale=alt.Scale(domain=[low, high * 1.25 or 1], nice=False),
                axis=_axis(low, high * 1.25 or 1)),
        color=alt.Color("run:N", scale=alt.Scale(domain=runs, range=[MUTED, PALETTE[0]]), title=None))
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(x=alt.X("label_at:Q"), text="text:N")
    for row in rows:
        row["label_at"] = max(row["t"], 0.0)
    return (bars + text).properties(width=WIDTH * 2 // 3, height=max(60, 40 * len(labels)))   # long labels


def bars(rows: list[dict], colour: str = PALETTE[0]) -> alt.Chart:
    """Horizontal bars, one per `label` (in order), `t` tonnes, with its `text` at the end."""
    high = max([0.0] + [r["t"] for r in rows])
    low = min([0.0] + [r["t"] for r in rows])
    for row in rows:
        row["label_at"] = max(row["t"], 0.0)
    y = alt.Y("label:N", sort=[r["label"] for r in rows], title=None, axis=alt.Axis(labelLimit=LABEL_WIDTH))
    base = alt.Chart(alt.Data(values=rows)).encode(y=y)
    drawn = base.mark_bar(height={"band": 0.7}, color=colour).encode(
        x=alt.X("t:Q", title=t("table.tonnes"), scale=alt.Scale(domain=[low, high * 1.22 or 1], nice=False),
                axis=_axis(low, high * 1.22 or 1)))
    text = base.mark_text(align="left", dx=5, fontSize=12).encode(x="label_at:Q", text="text:N")
    return (drawn + text).properties(width=WIDTH, height=_height(len(rows)))
