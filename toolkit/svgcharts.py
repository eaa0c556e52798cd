"""Bar charts drawn as SVG markup in Python, for printed documents.

WeasyPrint draws inline SVG as vectors and sets its text in the document's fonts, so a
PDF carries its charts with no JavaScript, no network and no raster image; the labels and
numbers stay text that a reader can search and copy.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Drawing units of the viewBox; the stylesheet sizes the chart on the page.
WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 60
BAR = 13
GAP = 9
LEGEND = 24
COLOURS = ("#7a4a22", "#c9a27e", "#4f6d7a")
FONT = "'Sarabun Latin', 'Sarabun Thai', sans-serif"
LONGEST_LABEL = 34


def _short(label):
    label = str(label)
    return label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1] + "…"


def _number(value):
    if value is None:
        return "–"
    return f"{value:,}" if isinstance(value, int) else str(value)


def bar_chart(labels, *series, title):
    """A horizontal bar chart: one row per label, one bar per (name, numbers) series.

    `title` names the chart for screen readers and PDF text. Numbers may be None (no
    figure): no bar, and a dash where the number would be.
    """
    labels = [str(label) for label in labels]
    series = [(str(name), list(values)) for name, values in series]
    highest = max([v for _name, values in series for v in values if v] or [0]) or 1
    row = BAR * len(series) + GAP
    top = LEGEND if len(series) > 1 else 4
    height = top + row * max(len(labels), 1) + 4
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / float(highest)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' width="{WIDTH}" height="{height}" role="img" font-family="{FONT}" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    if len(series) > 1:
        x = LABEL_WIDTH
        for index, (name, _values) in enumerate(series):
            colour = COLOURS[index % len(COLOURS)]
            parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{x + 14}" y="13">{escape(name)}</text>')
            x += 24 + 7 * len(name)
    for position, label in enumerate(labels):
        y = top + position * row
        middle = y + BAR * len(series) / 2 + 4
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end">'
            f"{escape(_short(label))}</text>"
        )
        for index, (_name, values) in enumerate(series):
            value = values[position] if position < len(values) else None
            length = (float(value) * scale) if value else 0
            bar_y = y + index * BAR
            colour = COLOURS[index % len(COLOURS)]
            if length > 0:
                parts.append(
                    f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{length:.1f}"'
                    f' height="{BAR - 2}" fill="{colour}"/>'
                )
            parts.append(
                f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{bar_y + BAR - 3}"'
                f' font-size="10">{escape(_number(value))}</text>'
            )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{top - 2}" x2="{LABEL_WIDTH}" y2="{height - 2}"'
        ' stroke="#8a8f98" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
