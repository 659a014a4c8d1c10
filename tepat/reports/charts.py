"""Charts rendered on the server as SVG with pygal (no JavaScript, no CDN). A chart is served as its own
SVG file under a narrow policy of its own (pygal styles the chart with an inline <style>), and shown
with <img>, so the pages' Content-Security-Policy stays unchanged."""

from __future__ import annotations

import re

import pygal
from csp.decorators import csp_replace
from django.http import HttpResponse
from pygal.style import Style

STYLE = Style(background="white", plot_background="white", foreground="#1f2933",
              foreground_strong="#1f2933", foreground_subtle="#7b8794",
              colors=("#1d6f42", "#c05621", "#2b6cb0", "#6b46c1", "#b7791f"),
              font_family="system-ui, sans-serif", label_font_size=11, major_label_font_size=11,
              legend_font_size=12, title_font_size=14)


def bar_chart(*, title: str, labels: list[str], series: list[tuple[str, list[int]]],
              value_range: tuple[int, int] | None = None) -> bytes:
    """A horizontal bar chart: one bar per label and series (`value_range` fixes the axis, e.g. 0–100 for
    percentages). Returns standalone SVG bytes."""
    height = max(220, 60 + 26 * len(labels) * max(1, len(series)))
    chart = pygal.HorizontalBar(style=STYLE, width=860, height=min(height, 2400), js=[],
                                disable_xml_declaration=False, show_legend=len(series) > 1,
                                legend_at_bottom=True, print_values=False, truncate_label=40,
                                title=title, explicit_size=True, no_data_text="—")
    chart.x_labels = labels
    if value_range is not None:
        chart.range = value_range
    for name, values in series:
        chart.add(name, values)
    # pygal writes its config as an inline <script> even without tooltip JavaScript: drop it (an <img>
    # never runs scripts, and the chart's own policy forbids them anyway).
    return _SCRIPT.sub(b"", chart.render())


def line_chart(*, title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> bytes:
    """A line chart over `labels` (periods), one line per series. Returns standalone SVG bytes."""
    chart = pygal.Line(style=STYLE, width=860, height=320, js=[], disable_xml_declaration=False,
                       show_legend=True, legend_at_bottom=True, title=title, explicit_size=True,
                       no_data_text="—", x_label_rotation=0, dots_size=3)
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return _SCRIPT.sub(b"", chart.render())


_SCRIPT = re.compile(rb"<script\b.*?</script>", re.DOTALL)

# The chart's own policy (a view that serves a chart is decorated with it): pygal styles with an inline
# <style>; nothing else may load or run.
chart_csp = csp_replace({"default-src": ["'none'"], "style-src": ["'unsafe-inline'"], "script-src": ["'none'"],
                         "img-src": ["'none'"]})


def svg_response(svg: bytes) -> HttpResponse:
    """A chart as its own SVG file, shown by the page with <img> (the page's policy stays unchanged)."""
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    response["X-Content-Type-Options"] = "nosniff"
    return response
