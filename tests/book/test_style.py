"""The book's look (cnnkit.book.style)."""

from __future__ import annotations

import matplotlib

from cnnkit.book import style


def test_set_style_uses_the_colour_blind_safe_cycle():
    style.set_style()
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [c.upper() for c in colours] == [c.upper() for c in style.OKABE_ITO.values()]
    assert matplotlib.rcParams["image.cmap"] == style.SEQUENTIAL_CMAP


def test_the_warning_box_is_an_alert_in_the_colours_of_a_miss():
    box = style.warning_box("Invalid setting", "no window fits")
    assert box.startswith('<div role="alert"') and box.endswith("</div>")
    assert "<b>⚠ Invalid setting.</b> no window fits" in box
    assert style.BOX_COLOURS["fail"]["border"] in box
    assert style.BOX_COLOURS["fail"]["background"] in box


def test_result_boxes_differ_by_kind_and_share_the_frame():
    css = {kind: style.result_box_css(kind) for kind in style.BOX_COLOURS}
    assert len(set(css.values())) == 3
    for kind, text in css.items():
        assert style.BOX_COLOURS[kind]["border"] in text
        assert "border-left:6px solid" in text
