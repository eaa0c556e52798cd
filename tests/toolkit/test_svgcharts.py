"""SVG bar charts for printed documents: bars in proportion, labels as escaped text."""

import re
import xml.etree.ElementTree as ET

from toolkit.svgcharts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(str(svg))


def test_bars_are_in_proportion_to_the_largest_number():
    root = parse(bar_chart(["ก", "ข"], ("n", [10, 5]), title="t"))
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths == [WIDTH - LABEL_WIDTH - VALUE_WIDTH, (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / 2]


def test_two_series_get_a_legend_and_a_bar_each_per_label():
    root = parse(bar_chart(["A", "B"], ("Result", [3, 1]), ("Target", [4, 2]), title="t"))
    texts = [text.text for text in root.iter(f"{SVG}text")]
    assert texts[:2] == ["Result", "Target"]
    # Two legend swatches and four bars.
    assert len(list(root.iter(f"{SVG}rect"))) == 6


def test_labels_are_escaped_and_long_ones_shortened():
    label = "<script>" + "ก" * 60
    svg = str(bar_chart([label], ("n", [1]), title="a & b"))
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "a & b"
    shown = next(root.iter(f"{SVG}text")).text
    assert shown.startswith("<script>") and shown.endswith("…") and len(shown) == 34


def test_no_figure_draws_no_bar_and_a_dash():
    root = parse(bar_chart(["A", "B"], ("n", [None, 0]), title="t"))
    assert list(root.iter(f"{SVG}rect")) == []
    assert [t.text for t in root.iter(f"{SVG}text")] == ["A", "–", "B", "0"]


def test_the_chart_grows_with_its_labels():
    def height(count):
        svg = str(bar_chart([str(n) for n in range(count)], ("n", [1] * count), title="t"))
        return int(re.search(r'height="(\d+)"', svg).group(1))

    assert height(10) > height(2)
