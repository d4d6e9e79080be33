"""The chapters' interactive explorers (ipywidgets), and the note that stands in for them
in the static HTML book.

An explorer needs a running kernel: in the web book a slider would move but nothing would
change. So the book hides each explorer's output in the HTML (cell tag ``remove-output``)
and shows, right after it, :func:`live_note` and a static figure of a few settings.
In JupyterLab or Binder the explorer is live and the static figure is simply a bonus.
"""

from __future__ import annotations

import html
import io
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display

from cnnkit import plotting
from cnnkit.data import load_digits, sample_image, to_grayscale

# --------------------------------------------------------------------------- binder


def _find_config(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "_config.yml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "binder_url: no _config.yml in the current folder or its parents; run the notebook "
        "from inside the book's repository"
    )


def binder_url(notebook: str, config: Path | None = None) -> str:
    """The Binder link that opens ``notebooks/<notebook>`` in JupyterLab.

    The repository and branch are read from ``_config.yml`` (``repository: url, branch``
    and ``launch_buttons: binderhub_url``), the one place that names them.
    """
    import yaml  # installed with jupyter-book; only needed here

    settings = yaml.safe_load(_find_config().read_text() if config is None else config.read_text())
    repo = settings["repository"]["url"].rstrip("/")
    branch = settings["repository"].get("branch", "main")
    hub = settings.get("launch_buttons", {}).get("binderhub_url", "https://mybinder.org")
    owner_name = repo.split("github.com/")[-1]
    return f"{hub.rstrip('/')}/v2/gh/{owner_name}/{branch}?urlpath=lab/tree/notebooks/{notebook}"


def live_note(notebook: str) -> HTML:
    """The one-line note that replaces an explorer in the static book."""
    url = binder_url(notebook)
    return HTML(
        '<p class="cnnkit-live-note" style="border-left:4px solid #0072B2;'
        'padding:0.3em 0.8em;background:#f2f7fb">'
        "<strong>Live explorer.</strong> Its controls need a running Python kernel: "
        f'<a href="{url}">open this chapter in Binder</a> or run the notebook in '
        "JupyterLab. The figure below shows a few of its settings.</p>"
    )


# --------------------------------------------------------------------------- chapter 1


def _chapter1_images() -> dict[str, np.ndarray]:
    digits = load_digits()
    digit = np.round(digits.x_train[0, 0] * 255).astype(np.uint8)
    return {
        "photo: china (RGB)": sample_image("china"),
        "photo: flower (RGB)": sample_image("flower"),
        "handwritten digit (gray)": digit,
    }


def _window_preview(img: np.ndarray, r: int, c: int, s: int, width: int = 360) -> bytes:
    """PNG of the image at about ``width`` pixels across, the window outlined in
    vermillion (``plotting.HIGHLIGHT``).

    A large photo is shown by keeping every k-th pixel (a preview, fast); a small image
    (the 8×8 digit) is enlarged by repeating each pixel in a k×k block, so pixels stay
    crisp squares.
    """
    rgb = img if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2)
    height, wide = rgb.shape[:2]
    if wide > width:
        k = -(-wide // width)
        view, scale = rgb[::k, ::k], 1 / k
    else:
        k = max(1, width // wide)
        view, scale = np.repeat(np.repeat(rgb, k, axis=0), k, axis=1), k
    view = np.array(view, dtype=np.uint8)  # a copy to paint on
    top, left = int(r * scale), int(c * scale)
    bottom = max(int((r + s) * scale), top + 3)
    right = max(int((c + s) * scale), left + 3)
    colour = [int(plotting.HIGHLIGHT[i : i + 2], 16) for i in (1, 3, 5)]
    t = 2  # outline thickness in preview pixels
    h2, w2 = view.shape[:2]
    top, left = max(0, top - t), max(0, left - t)
    bottom, right = min(h2, bottom + t), min(w2, right + t)
    for rows, cols in [
        (slice(top, top + t), slice(left, right)),
        (slice(bottom - t, bottom), slice(left, right)),
        (slice(top, bottom), slice(left, left + t)),
        (slice(top, bottom), slice(right - t, right)),
    ]:
        view[rows, cols] = colour
    return _png(view)


def _numbers_table(patch: np.ndarray, r: int, c: int) -> str:
    """An HTML table of the window's values, each cell shaded in its own grey level."""
    head = "".join(f"<th>{c + j}</th>" for j in range(patch.shape[1]))
    rows = []
    for i, line in enumerate(patch):
        cells = []
        for value in line:
            v = int(round(float(value)))
            ink = "#000" if v > 127 else "#fff"
            cells.append(f'<td style="background:rgb({v},{v},{v});color:{ink}">{v}</td>')
        rows.append(f"<tr><th>{r + i}</th>{''.join(cells)}</tr>")
    style = (
        "<style>.cnnkit-px{border-collapse:collapse;font:12px monospace}"
        ".cnnkit-px td{width:2.6em;height:1.9em;text-align:center;border:1px solid #999}"
        ".cnnkit-px th{font-weight:normal;color:#555;padding:0 4px}</style>"
    )
    return f'{style}<table class="cnnkit-px"><tr><th></th>{head}</tr>{"".join(rows)}</table>'


def _pixel_view(
    img: np.ndarray, plane: np.ndarray, channel: str, r: int, c: int, s: int
) -> tuple[bytes, str]:
    """The explorer's two panels: the image with the window, and the window's numbers.

    Drawn as a PNG and an HTML table rather than a matplotlib figure: one update then
    takes milliseconds instead of the ~0.2 s of rendering a figure with the photo.
    """
    where = f"rows {r}–{r + s - 1}, columns {c}–{c + s - 1}"
    table = _numbers_table(plane[r : r + s, c : c + s], r, c)
    caption = f"<b>{channel} values</b>, {where}<br>"
    return _window_preview(img, r, c, s), caption + table


def pixel_explorer() -> w.Widget:
    """Chapter 1: pick an image and a channel, move a window, read the pixel values.

    Left: the image with the window outlined. Right: the numbers inside the window, each
    cell shaded in its own grey level (0 black, 255 white).
    """
    images = _chapter1_images()
    image_box = w.Dropdown(options=list(images), description="image")
    channel = w.ToggleButtons(options=["red", "green", "blue", "gray"], description="channel")
    size = w.IntSlider(value=8, min=2, max=12, description="window")
    row = w.IntSlider(value=0, min=0, max=100, description="row")
    col = w.IntSlider(value=0, min=0, max=100, description="column")
    picture = w.Image(format="png", layout=w.Layout(width="360px"))
    numbers = w.HTML()
    title = w.HTML()

    def limits() -> None:
        img = images[image_box.value]
        channel.disabled = img.ndim == 2
        size.max = min(12, img.shape[0], img.shape[1])
        row.max = img.shape[0] - size.value
        col.max = img.shape[1] - size.value

    def draw(*_: object) -> None:
        limits()
        img = images[image_box.value]
        if img.ndim == 2:
            plane, name = img, "gray"
        elif channel.value == "gray":
            plane, name = to_grayscale(img), "gray"
        else:
            plane, name = img[..., ["red", "green", "blue"].index(channel.value)], channel.value
        png, table = _pixel_view(img, plane, name, row.value, col.value, size.value)
        picture.value = png
        numbers.value = table
        title.value = f"<b>{image_box.value}</b>, array shape {img.shape}"

    for control in (image_box, channel, size, row, col):
        control.observe(draw, names="value")
    draw()
    panels = w.HBox([w.VBox([title, picture]), numbers], layout=w.Layout(grid_gap="24px"))
    return w.VBox([w.HBox([image_box, channel]), w.HBox([size, row, col]), panels])


# --------------------------------------------------------------------------- chapter 2


def _chapter2_images() -> dict[str, np.ndarray]:
    """The explorer's grey-level images, (H, W) float64 in [0, 1]."""
    from cnnkit.data import CLASS_NAMES, example_image, xoi_patterns

    patterns, labels = xoi_patterns(3, rng=0, noise=0.0, max_shift=0)
    images = {
        "photo: china (grey)": to_grayscale(sample_image("china")) / 255.0,
        "photo: flower (grey)": to_grayscale(sample_image("flower")) / 255.0,
        "5×5 example image": example_image(),
    }
    for label, name in enumerate(CLASS_NAMES):
        index = int(np.flatnonzero(labels == label)[0])
        images[f"{name} pattern (9×9)"] = patterns[index, 0].astype(np.float64)
    return images


def _parse_weights(texts: list[str]) -> np.ndarray:
    """The nine typed weights as a (3, 3) float64 array.

    Accepts whole numbers, decimals and fractions ("2", "-0.5", "1/9"). Raises
    ValueError naming the first box that does not hold a finite number.
    """
    values = []
    for k, text in enumerate(texts):
        row, col = divmod(k, 3)
        try:
            values.append(float(Fraction(text.strip())))
        except (ValueError, ZeroDivisionError):
            shown = repr(text.strip()) if text.strip() else "an empty box"
            raise ValueError(
                f"row {row}, column {col}: {shown} is not a number. Type a whole number "
                "(2), a decimal (-0.5) or a fraction (1/9)."
            ) from None
    return np.array(values).reshape(3, 3)


def _display_size(m: np.ndarray, width: int = 320) -> np.ndarray:
    """Resize a map to about ``width`` pixels across for display.

    Large maps are shrunk by averaging k×k blocks; small ones are enlarged by repeating
    each value in a k×k block, so that every cell stays a crisp square.
    """
    h, w = m.shape
    if w > width:
        k = -(-w // width)
        h2, w2 = h // k * k, w // k * k
        return m[:h2, :w2].reshape(h2 // k, k, w2 // k, k).mean(axis=(1, 3))
    if w < width // 2:
        k = width // w
        return np.repeat(np.repeat(m, k, axis=0), k, axis=1)
    return m


def _png(pixels: np.ndarray) -> bytes:
    """PNG bytes of an (H, W) or (H, W, 3) uint8 array (fast, light compression)."""
    from PIL import Image  # Pillow is a dependency of matplotlib

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _grey_png(m: np.ndarray, low: float, high: float) -> bytes:
    scaled = np.clip((m - low) / ((high - low) or 1.0), 0.0, 1.0)
    return _png(np.round(scaled * 255).astype(np.uint8))


def _signed_png(m: np.ndarray, lim: float) -> bytes:
    colormap = plt.get_cmap(plotting.DIVERGING_CMAP)
    rgba = colormap(np.clip(m / (lim or 1.0), -1.0, 1.0) * 0.5 + 0.5, bytes=True)
    return _png(np.ascontiguousarray(rgba[..., :3]))


def filter_explorer() -> w.Widget:
    """Chapter 2: pick an image and a 3×3 filter (a preset, or typed in), see the feature map.

    The feature map is ``conv2d(image, kernel)`` (no padding, stride 1). A filter whose
    weights sum to 0 (an edge detector) gives a signed map, drawn orange where positive,
    purple where negative and white at 0; any other filter gives a new picture, drawn in
    grey. Weights can be typed as whole numbers, decimals or fractions ("1/9"); a box that
    does not hold a number is reported in words and the last valid map stays. Small maps
    (up to 9×9) are also printed as numbers.

    Returns
    -------
    ipywidgets.VBox
        The explorer. Its ``controls`` attribute (a ``types.SimpleNamespace``) holds the
        widgets: ``image``, ``preset``, ``cells`` (the nine weight boxes, row by row),
        ``message``, ``input_view``, ``map_view`` and ``info``; its ``update`` attribute is
        the function that recomputes and redraws the map.
    """
    from cnnkit.convolution import conv2d
    from cnnkit.filters import PRESETS

    images = _chapter2_images()
    custom = "custom (typed in)"
    image_box = w.Dropdown(options=list(images), value="photo: china (grey)", description="image")
    preset = w.Dropdown(options=[*PRESETS, custom], value="vertical_edge", description="filter")
    cells = [w.Text(continuous_update=False, layout=w.Layout(width="4.5em")) for _ in range(9)]
    grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(3, 4.8em)"))
    message = w.HTML()
    input_view = w.Image(format="png", layout=w.Layout(max_width="330px"))
    map_view = w.Image(format="png", layout=w.Layout(max_width="330px"))
    info = w.HTML()
    busy = {"filling": False}
    shown_image = {"name": None}

    def fill_cells(kernel: np.ndarray) -> None:
        busy["filling"] = True
        try:
            for cell, value in zip(cells, kernel.ravel(), strict=True):
                cell.value = plotting.format_weight(value)
        finally:
            busy["filling"] = False

    def draw(*_: object) -> None:
        try:
            kernel = _parse_weights([cell.value for cell in cells])
        except ValueError as error:
            message.value = (
                '<span style="color:#8F3F00"><b>✗ Not a valid filter:</b> '
                f"{html.escape(str(error))} The map still shows the last valid filter.</span>"
            )
            return
        message.value = ""
        image = images[image_box.value]
        if shown_image["name"] != image_box.value:
            input_view.value = _grey_png(_display_size(image), 0.0, 1.0)
            shown_image["name"] = image_box.value
        fmap = conv2d(image, kernel)
        small = _display_size(fmap)
        if abs(float(kernel.sum())) < 1e-9:
            lim = float(np.percentile(np.abs(small), 98)) if small.size > 100 else 0.0
            map_view.value = _signed_png(small, lim or float(np.abs(small).max()))
            legend = "orange = positive, purple = negative, white = 0 (the weights sum to 0)"
        else:
            low, high = (
                np.percentile(small, [0.5, 99.5])
                if small.size > 100
                else (small.min(), small.max())
            )
            map_view.value = _grey_png(small, float(low), float(high))
            legend = "grey levels, dark = low, light = high"
        text = (
            f"<b>input</b> {image.shape[0]}×{image.shape[1]} (left) → <b>feature map</b> "
            f"{fmap.shape[0]}×{fmap.shape[1]} (right), values from {fmap.min():.3g} to "
            f"{fmap.max():.3g}; {legend}."
        )
        if fmap.size <= 81:
            rows = "\n".join(" ".join(f"{v:6.3g}" for v in row) for row in fmap)
            text += f"<pre style='margin:4px 0'>{html.escape(rows)}</pre>"
        info.value = text

    def on_preset(change: dict) -> None:
        if change["new"] != custom:
            fill_cells(PRESETS[change["new"]])
        draw()

    def on_cell(_: dict) -> None:
        if busy["filling"]:
            return
        if preset.value != custom:
            try:
                typed = _parse_weights([cell.value for cell in cells])
            except ValueError:
                typed = None
            if typed is None or not np.allclose(typed, PRESETS[preset.value]):
                preset.unobserve(on_preset, names="value")
                preset.value = custom
                preset.observe(on_preset, names="value")
        draw()

    image_box.observe(draw, names="value")
    preset.observe(on_preset, names="value")
    for cell in cells:
        cell.observe(on_cell, names="value")
    fill_cells(PRESETS[preset.value])
    draw()
    explorer = w.VBox(
        [
            w.HBox([image_box, preset]),
            w.HBox([w.HTML("<b>3×3 filter</b><br>(press Enter<br>after typing)"), grid, message]),
            w.HBox([input_view, map_view]),
            info,
        ]
    )
    explorer.controls = SimpleNamespace(
        image=image_box,
        preset=preset,
        cells=cells,
        message=message,
        input_view=input_view,
        map_view=map_view,
        info=info,
    )
    explorer.update = draw
    return explorer


def show(widget: w.Widget) -> None:
    """Display an explorer (a thin wrapper so the notebooks read the same everywhere)."""
    display(widget)


# --------------------------------------------------------------------------- chapter 3

_WARNING_STYLE = (
    "border:1px solid #D55E00;border-left:6px solid #D55E00;border-radius:4px;"
    "background:#FCF1EA;color:#1A1A1A;padding:6px 10px;margin:4px 0;max-width:46em"
)


def _conv_layer_report(
    size: int, f: int, stride: int, padding: int, filters: int, channels: int
) -> dict[str, object]:
    """What the chapter 3 explorer shows for one setting, as HTML and SVG text.

    Returns a dict with ``"summary"`` (HTML: output shape, parameters, multiply-adds),
    ``"warning"`` (HTML, empty when the setting is valid), ``"drawing"`` (SVG of the
    positions visited, empty when no window fits) and ``"cost"`` (the
    :class:`cnnkit.cost.ConvCost` the numbers come from: strict mode when the setting is
    valid, floor mode when only floor works, None when no window fits).
    """
    import html

    from cnnkit.cost import conv2d_cost
    from cnnkit.shapes import output_size

    in_shape = (channels, size, size)
    # the parameter count does not depend on the input size: a filter-sized input gives it
    params = conv2d_cost((channels, f, f), filters, f).params
    span = f"({size} − {f} + 2·{padding})"
    try:
        cost = conv2d_cost(in_shape, filters, f, stride=stride, padding=padding)
        mode, warning = "strict", ""
    except ValueError as strict_error:
        message = html.escape(str(strict_error))
        try:
            cost = conv2d_cost(in_shape, filters, f, stride=stride, padding=padding, mode="floor")
        except ValueError:
            cost = None
        if cost is None:
            warning = (
                f'<div role="alert" style="{_WARNING_STYLE}"><b>⚠ Invalid setting: no window '
                f"fits.</b> cnnkit says: <code>{message}</code></div>"
            )
        else:
            ceil = output_size(size, f, stride, padding, mode="ceil")
            positions = plotting.window_positions(size, f, stride, padding, "floor")
            lost = int((positions.coverage == 0).sum())
            warning = (
                f'<div role="alert" style="{_WARNING_STYLE}"><b>⚠ Invalid setting: the filter '
                f"does not tile the input evenly.</b> cnnkit says: <code>{message}</code><br>"
                f"Rounding down (cnnkit <code>mode='floor'</code>, PyTorch, TensorFlow "
                f"'VALID') gives {cost.output_shape[1]}×{cost.output_shape[2]} and never "
                f"looks at {lost} of the {size} rows (and as many columns), hatched in "
                f"the drawing; rounding up "
                f"(<code>mode='ceil'</code>, Caffe's pooling) gives {ceil}×{ceil}. "
                f"The drawing and the numbers below use floor mode.</div>"
            )
        mode = "floor"
    rows = [
        f"<b>Parameters</b> K·(F·F·C + 1) = {filters}·({f}·{f}·{channels} + 1) = "
        f"<b>{params:,}</b> (weights {filters * f * f * channels:,}, biases {filters:,})"
    ]
    if cost is None:
        rows.insert(0, "<b>Output shape</b>: none (the filter is larger than the padded input)")
        drawing = ""
    else:
        k, ho, wo = cost.output_shape
        rule = f"⌊{span}/{stride}⌋ + 1" if mode == "floor" else f"{span}/{stride} + 1"
        rows.insert(
            0,
            f"<b>Output shape</b> (K, H<sub>out</sub>, W<sub>out</sub>) = "
            f"<b>({k}, {ho}, {wo})</b>, with H<sub>out</sub> = W<sub>out</sub> = {rule} = {ho}",
        )
        rows.append(
            f"<b>Multiply-adds</b> H<sub>out</sub>·W<sub>out</sub>·F·F·C·K = "
            f"{ho}·{wo}·{f}·{f}·{channels}·{filters} = <b>{cost.macs:,}</b>"
        )
        drawing = plotting.window_positions_svg(size, f, stride, padding, mode=mode)
    summary = "<div style='line-height:1.7'>" + "<br>".join(rows) + "</div>"
    return {"summary": summary, "warning": warning, "drawing": drawing, "cost": cost}


def conv_layer_explorer() -> w.Widget:
    """Chapter 3: the knobs of a convolution layer, with their effect on shape and cost.

    Sliders for the input size W (a W×W input with C channels), the filter size F, the
    stride S, the zero padding P and the number of filters K. The drawing shows the
    padded input and where the filter goes (:func:`cnnkit.plotting.window_positions_svg`);
    the text gives the output shape, the parameters and the multiply-adds from
    :func:`cnnkit.cost.conv2d_cost`. A setting that does not tile the input shows
    cnnkit's strict-mode error in a warning box, and the floor-mode result.

    The returned box has ``.controls`` (the six sliders by name: size, f, stride,
    padding, filters, channels; and the summary, warning and drawing HTML widgets) and
    ``.update()``, which redraws.
    """
    style = {"description_width": "8em"}
    layout = w.Layout(width="26em")
    controls = {
        "size": w.IntSlider(value=10, min=3, max=32, description="input size W"),
        "f": w.IntSlider(value=3, min=1, max=11, description="filter size F"),
        "stride": w.IntSlider(value=2, min=1, max=5, description="stride S"),
        "padding": w.IntSlider(value=0, min=0, max=5, description="padding P"),
        "filters": w.IntSlider(value=4, min=1, max=256, description="filters K"),
        "channels": w.IntSlider(value=3, min=1, max=16, description="channels C"),
    }
    for control in controls.values():
        control.style = style
        control.layout = layout
    summary = w.HTML()
    summary.add_class("cnnkit-conv-summary")
    warning = w.HTML()
    warning.add_class("cnnkit-conv-warning")
    drawing = w.HTML()
    drawing.add_class("cnnkit-conv-drawing")
    legend = w.HTML(
        "<small>Grey: zero padding. White, framed: the input. Dots: where a window "
        "starts. Solid and dashed outlines: the first and the last window. Hatched "
        "yellow: input rows and columns that no window ever covers.</small>",
        layout=w.Layout(width="26em"),
    )

    def update(*_: object) -> None:
        report = _conv_layer_report(**{name: c.value for name, c in controls.items()})
        summary.value = report["summary"]
        warning.value = report["warning"]
        drawing.value = report["drawing"]

    for control in controls.values():
        control.observe(update, names="value")
    update()
    # the warning goes first: it says that the numbers below it use floor mode
    explorer = w.VBox([w.HBox([w.VBox([*controls.values(), legend]), drawing]), warning, summary])
    explorer.controls = SimpleNamespace(
        **controls, summary=summary, warning=warning, drawing=drawing
    )
    explorer.update = update
    return explorer
