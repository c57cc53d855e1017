"""What the map page adds to pyvis' canvas: the legend, the toolbar and the label logic.

All of it lives inside the map's own page (the iframe), so the legend travels with
the map when it goes full screen or is saved as a file:

- a legend drawn in HTML over the map's corner, one block per visual channel;
- buttons for full screen, a PNG and an SVG for slides (both with the legend, see
  :mod:`export`), showing every label and fitting the map;
- labels that stay readable: the label font grows as the map is zoomed out so it
  keeps at least :data:`LABEL_PX` pixels on screen, and only the labels that do not
  overlap a more important person's label are drawn (importance: the ranking that
  :mod:`render` passes in); zooming in shows more of them;
- NPS badges and the "?" of an unknown role, drawn on the canvas;
- on the org chart, a double click on a manager folds or unfolds their branch.

Every text in the legend is escaped here; texts from the data reach the script only
as JSON with ``<``, ``>`` and ``&`` escaped, and are drawn by vis-network on a canvas
(never as HTML).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from workbench.analytics.network.export import EXPORT_SCRIPT

#: The smallest on-screen size of a label, in CSS pixels (readable on a projector
#: at 1280×720 from the back of a workshop room).
LABEL_PX = 14


@dataclass(frozen=True)
class LegendMark:
    """How one legend row draws its symbol: the same on the map, the PNG and the SVG.

    ``kind`` is ``glyph`` (a shape's text symbol in ``colour``), ``dot`` (a round
    swatch filled with ``colour``, its ring ``ring`` of ``ring_px``) or ``line`` (a
    stroke of ``colour``). ``dashed`` dashes the ring or the line. Colours are our
    own constants, never data.
    """

    kind: Literal["glyph", "dot", "line"]
    colour: str = "transparent"
    ring: str = "transparent"
    ring_px: float = 1.0
    dashed: bool = False
    glyph: str = ""


@dataclass(frozen=True)
class LegendBlock:
    """One block of the legend: its title and (symbol, label) rows."""

    title: str
    rows: list[tuple[LegendMark, str]] = field(default_factory=list)

    @property
    def wide(self) -> bool:
        """Whether the labels are long: one row to a line instead of two."""
        return any(len(label) > 16 for _mark, label in self.rows)


def json_for_script(value: Any) -> str:
    """Return JSON that is safe inside a ``<script>`` element."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def mark_html(mark: LegendMark) -> str:
    """Return a legend symbol as HTML (escaped; colours are our own constants)."""
    colour = html.escape(mark.colour)
    border = "dashed" if mark.dashed else "solid"
    if mark.kind == "glyph":
        return (
            f'<span class="wb-sym" style="color:{colour}">'
            + html.escape(mark.glyph)
            + "</span>"
        )
    if mark.kind == "line":
        return f'<span class="wb-line" style="border-top:3px {border} {colour}"></span>'
    return (
        f'<span class="wb-sw" style="background:{colour};border:'
        f'{mark.ring_px:g}px {border} {html.escape(mark.ring)}"></span>'
    )


def legend_config(blocks: list[LegendBlock]) -> list[dict[str, Any]]:
    """Return the legend for the page's script, which draws it into the PNG and SVG."""
    return [
        {
            "title": block.title,
            "wide": block.wide,
            "rows": [
                {
                    "kind": mark.kind,
                    "colour": mark.colour,
                    "ring": mark.ring,
                    "ringPx": mark.ring_px,
                    "dashed": mark.dashed,
                    "glyph": mark.glyph,
                    "label": label,
                }
                for mark, label in block.rows
            ],
        }
        for block in blocks
    ]


def legend_html(title: str, blocks: list[LegendBlock], hint: str) -> str:
    """Return the legend's HTML: escaped labels, our own symbols."""
    parts = [
        '<div id="wb-legend" role="region" aria-label="',
        html.escape(title),
        '"><div class="wb-legend-title">',
        html.escape(title),
        "</div>",
    ]
    for block in blocks:
        # short labels side by side, long ones one to a line
        parts.append(
            '<div class="wb-block' + (" wb-wide" if block.wide else "") + '">'
            '<div class="wb-block-title">'
        )
        parts.append(html.escape(block.title))
        parts.append("</div>")
        for mark, label in block.rows:
            parts.append('<div class="wb-row">' + mark_html(mark))
            parts.append(
                '<span class="wb-label">' + html.escape(label) + "</span></div>"
            )
        parts.append("</div>")
    parts.append('<div class="wb-hint">' + html.escape(hint) + "</div></div>")
    return "".join(parts)


_STYLE = """
<style type="text/css">
  html, body { margin: 0; padding: 0; font-family: __FONT__; }
  .card { position: relative; border: 0; }
  #mynetwork { border: 1px solid #d0d0d0; float: none !important; }
  :fullscreen #mynetwork, #mynetwork:fullscreen { height: 100vh !important; }
  #wb-legend { position: absolute; top: 8px; left: 8px; z-index: 5;
    background: rgba(255,255,255,0.92); border: 1px solid #d0d0d0;
    border-radius: 6px; padding: 6px 10px; font-size: 13px; line-height: 1.35;
    max-height: calc(100% - 56px); overflow-y: auto; width: 300px;
    color: #222; }
  #wb-legend.wb-hidden { display: none; }
  .wb-legend-title { font-weight: 700; font-size: 14px; margin-bottom: 2px; }
  .wb-block { margin-top: 4px; display: grid; grid-template-columns: 1fr 1fr;
    column-gap: 8px; }
  .wb-block-title { font-weight: 600; grid-column: 1 / -1; }
  .wb-block.wb-wide { grid-template-columns: 1fr; }
  .wb-row { display: flex; align-items: center; gap: 6px; }
  .wb-sw { display: inline-block; width: 13px; height: 13px; border-radius: 50%;
    box-sizing: border-box; flex: none; }
  .wb-sym { display: inline-block; width: 14px; text-align: center; flex: none;
    font-size: 14px; }
  .wb-line { display: inline-block; width: 22px; height: 0; flex: none; }
  .wb-hint { margin-top: 6px; color: #555; font-size: 12px; }
  #wb-toolbar { position: absolute; top: 8px; right: 8px; z-index: 6;
    display: flex; gap: 6px; flex-wrap: wrap; justify-content: flex-end; }
  #wb-toolbar button { font: inherit; font-size: 13px; padding: 4px 10px;
    border: 1px solid #b0b0b0; border-radius: 6px; background: #fff;
    cursor: pointer; }
  #wb-toolbar button[aria-pressed="true"] { background: #1f3b57; color: #fff; }
  #wb-message { position: absolute; bottom: 8px; right: 8px; z-index: 6;
    background: #fff8e1; border: 1px solid #e0c060; border-radius: 6px;
    padding: 4px 8px; font-size: 13px; display: none; }
</style>
"""

_SCRIPT = """
<script type="text/javascript">
(function () {
  var CONFIG = __CONFIG__;
  var MIN_PX = CONFIG.labelPx;
  var container = document.getElementById("mynetwork");
  var card = container.parentNode;
  var measure = document.createElement("canvas").getContext("2d");
  var showAll = false;
  var collapsed = {};
  var hiddenBy = {};
  var pending = false;
  var state = { scale: 1, labelPx: MIN_PX, shown: 0, total: 0 };
  var ranked = Object.keys(CONFIG.labels).sort(function (a, b) {
    return CONFIG.rank[a] - CONFIG.rank[b];
  });

  function say(text) {
    var box = document.getElementById("wb-message");
    box.textContent = text;
    box.style.display = text ? "block" : "none";
    if (text) { setTimeout(function () { box.style.display = "none"; }, 6000); }
  }

  function labelText(id) {
    var text = CONFIG.labels[id];
    if (collapsed[id]) { text += "\\n" + CONFIG.text.folded.replace("{n}", collapsed[id]); }
    return text;
  }

  function layoutLabels() {
    pending = false;
    var scale = network.getScale();
    var size = Math.max(MIN_PX, MIN_PX / scale);
    var onScreen = size * scale;
    var width = container.clientWidth, height = container.clientHeight;
    var ids = ranked.filter(function (id) { return !hiddenBy[id]; });
    var positions = network.getPositions(ids);
    var boxes = [], updates = [], shown = 0;
    measure.font = onScreen + "px " + CONFIG.font;
    ids.forEach(function (id) {
      var text = labelText(id);
      var node = nodes.get(Number(id));
      var p = network.canvasToDOM(positions[id]);
      var radius = (node && node.size ? node.size : 10) * scale;
      var lines = text.split("\\n");
      var w = 0;
      lines.forEach(function (line) { w = Math.max(w, measure.measureText(line).width); });
      var h = lines.length * onScreen * 1.2;
      var box = { x0: p.x - w / 2 - 2, x1: p.x + w / 2 + 2, y0: p.y + radius, y1: p.y + radius + h + 2 };
      var onView = box.x1 > 0 && box.x0 < width && box.y1 > 0 && box.y0 < height;
      var free = showAll || !boxes.some(function (b) {
        return b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1;
      });
      if (free && onView) { boxes.push(box); shown += 1; }
      updates.push({ id: Number(id), label: free ? text : " ", font: { size: size } });
    });
    nodes.update(updates);
    state = { scale: scale, labelPx: onScreen, shown: shown, total: ids.length };
  }

  function later() {
    if (!pending) { pending = true; window.requestAnimationFrame(layoutLabels); }
  }

  function drawMarks(ctx) {
    var scale = network.getScale();
    var badgeIds = Object.keys(CONFIG.badges).filter(function (id) { return !hiddenBy[id]; });
    var marked = badgeIds.concat(CONFIG.unknownRole.filter(function (id) { return !hiddenBy[id]; }));
    if (!marked.length) { return; }
    var positions = network.getPositions(marked);
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    CONFIG.unknownRole.forEach(function (id) {
      if (hiddenBy[id] || !positions[id]) { return; }
      var node = nodes.get(Number(id));
      var r = node && node.size ? node.size : 10;
      ctx.fillStyle = "#333333";
      ctx.font = "bold " + Math.round(r * 1.1) + "px " + CONFIG.font;
      ctx.fillText("?", positions[id].x, positions[id].y);
    });
    badgeIds.forEach(function (id) {
      if (!positions[id]) { return; }
      var badge = CONFIG.badges[id];
      var node = nodes.get(Number(id));
      var r = node && node.size ? node.size : 10;
      var radius = Math.max(9, 9 / scale);
      var x = positions[id].x + r * 0.85, y = positions[id].y - r * 0.85;
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      ctx.fillStyle = badge.colour;
      ctx.fill();
      ctx.lineWidth = Math.max(1.5, 1.5 / scale);
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
      ctx.fillStyle = "#ffffff";
      ctx.font = "bold " + Math.round(radius * 1.15) + "px " + CONFIG.font;
      ctx.fillText(String(badge.score), x, y + radius * 0.05);
    });
    ctx.restore();
  }

  function descendants(id) {
    var out = [], queue = (CONFIG.reports[id] || []).slice();
    while (queue.length) {
      var next = queue.shift();
      if (out.indexOf(next) >= 0) { continue; }
      out.push(next);
      (CONFIG.reports[next] || []).forEach(function (c) { queue.push(c); });
    }
    return out;
  }

  function toggleBranch(id) {
    var below = descendants(id);
    if (!below.length) { return; }
    var fold = !collapsed[id];
    if (fold) {
      collapsed[id] = below.length;
      below.forEach(function (c) { hiddenBy[c] = (hiddenBy[c] || 0) + 1; });
    } else {
      delete collapsed[id];
      below.forEach(function (c) { hiddenBy[c] = Math.max(0, (hiddenBy[c] || 0) - 1); });
    }
    nodes.update(below.map(function (c) { return { id: Number(c), hidden: hiddenBy[c] > 0 }; }));
    later();
  }

  function fitBesideLegend() {
    // fit the map into the part of the frame the legend leaves free
    network.fit({ animation: false });
    var legend = document.getElementById("wb-legend");
    if (legend && !legend.classList.contains("wb-hidden")) {
      var width = container.clientWidth;
      var free = width - legend.offsetWidth - 16;
      if (free > width * 0.4) {
        var scale = network.getScale() * free / width;
        var centre = network.getViewPosition();
        network.moveTo({
          scale: scale,
          position: { x: centre.x - (width - free) / 2 / scale, y: centre.y },
          animation: false
        });
      }
    }
    later();
  }

  function download(url, name) {
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.style.display = "none";
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
  }

  function savePng() {
    // the map as on screen, its caption, and the legend drawn beside it
    var source = container.querySelector("canvas");
    if (!source) { return; }
    var ratio = source.width / Math.max(1, container.clientWidth);
    var legend = WorkbenchExport.legendOps(CONFIG.legend, CONFIG.text.legendTitle);
    var at = WorkbenchExport.placement(
      container.clientWidth, container.clientHeight, legend, legendAt());
    var copy = document.createElement("canvas");
    copy.width = Math.round(at.width * ratio);
    copy.height = Math.round(at.height * ratio);
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(source, 0, 0);
    ctx.fillStyle = "#222222";
    ctx.font = "bold " + Math.round(16 * ratio) + "px " + CONFIG.font;
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(CONFIG.text.caption, source.width - 12, source.height - 10);
    WorkbenchExport.drawOps(ctx, legend, at.x * ratio, at.y * ratio, ratio, CONFIG.font);
    download(copy.toDataURL("image/png"), CONFIG.filename);
  }

  function legendAt() {
    // the legend's corner on the map when it is shown there; null when hidden
    var legend = document.getElementById("wb-legend");
    if (!legend || legend.classList.contains("wb-hidden")) { return null; }
    return { x: legend.offsetLeft, y: legend.offsetTop };
  }

  function colourOf(colour, key) {
    return colour && typeof colour === "object" ? colour[key] : colour;
  }

  function scene() {
    // what is on screen, in CSS pixels of the map's frame
    layoutLabels();
    var scale = network.getScale();
    var shown = nodes.get({ filter: function (n) { return !n.hidden; } });
    var ids = shown.map(function (n) { return n.id; });
    var at = network.getPositions(ids);
    var size = {};
    var people = shown.map(function (n) {
      var p = network.canvasToDOM(at[n.id]);
      var id = String(n.id);
      size[n.id] = (n.size || 10) * scale;
      return {
        x: p.x, y: p.y, size: size[n.id], shape: n.shape,
        fill: colourOf(n.color, "background"), stroke: colourOf(n.color, "border"),
        strokeWidth: n.borderWidth || 1,
        dashes: n.shapeProperties && n.shapeProperties.borderDashes,
        opacity: n.opacity === undefined ? 1 : n.opacity,
        label: n.label, labelPx: state.labelPx,
        badge: CONFIG.badges[id] || null,
        badgeRadius: Math.max(9 * scale, 9),
        unknownRole: CONFIG.unknownRole.indexOf(id) >= 0
      };
    });
    var lines = edges.get().filter(function (e) { return at[e.from] && at[e.to]; });
    return {
      width: container.clientWidth, height: container.clientHeight,
      font: CONFIG.font, caption: CONFIG.text.caption,
      legend: CONFIG.legend, legendTitle: CONFIG.text.legendTitle, legendAt: legendAt(),
      nodes: people,
      edges: lines.map(function (e) {
        var a = network.canvasToDOM(at[e.from]), b = network.canvasToDOM(at[e.to]);
        var opacity = colourOf(e.color, "opacity");
        return {
          x1: a.x, y1: a.y, x2: b.x, y2: b.y, targetSize: size[e.to],
          colour: colourOf(e.color, "color"), width: e.width || 1, dashed: !!e.dashes,
          opacity: opacity === undefined ? 1 : opacity,
          arrow: !(e.arrows && e.arrows.to && e.arrows.to.enabled === false)
        };
      })
    };
  }

  function saveSvg() {
    var svg = WorkbenchExport.buildSvg(scene());
    var url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml;charset=utf-8" }));
    download(url, CONFIG.svgFilename);
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function fullScreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (!card.requestFullscreen) { say(CONFIG.text.noFullScreen); return; }
    card.requestFullscreen().catch(function () { say(CONFIG.text.noFullScreen); });
  }

  document.addEventListener("fullscreenchange", function () {
    container.style.height = document.fullscreenElement ? "100vh" : CONFIG.height;
    network.setSize("100%", container.style.height);
    network.redraw();
    fitBesideLegend();
  });

  var buttons = {
    full: document.getElementById("wb-full"),
    png: document.getElementById("wb-png"),
    svg: document.getElementById("wb-svg"),
    labels: document.getElementById("wb-labels"),
    legend: document.getElementById("wb-legend-toggle"),
    fit: document.getElementById("wb-fit")
  };
  buttons.full.addEventListener("click", fullScreen);
  buttons.png.addEventListener("click", savePng);
  buttons.svg.addEventListener("click", saveSvg);
  buttons.fit.addEventListener("click", fitBesideLegend);
  buttons.labels.addEventListener("click", function () {
    showAll = !showAll;
    buttons.labels.setAttribute("aria-pressed", String(showAll));
    later();
  });
  buttons.legend.addEventListener("click", function () {
    var legend = document.getElementById("wb-legend");
    var hidden = legend.classList.toggle("wb-hidden");
    buttons.legend.setAttribute("aria-pressed", String(!hidden));
  });

  network.on("afterDrawing", drawMarks);
  network.on("zoom", later);
  network.on("dragEnd", later);
  network.on("resize", later);
  network.on("stabilized", later);
  network.once("stabilizationIterationsDone", function () {
    setTimeout(fitBesideLegend, 0);  // after vis-network's own fit
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length && CONFIG.reports[String(params.nodes[0])]) {
      toggleBranch(String(params.nodes[0]));
    }
  });
  network.once("afterDrawing", function () {
    if (CONFIG.fixed) { fitBesideLegend(); } else { later(); }
  });
  window.workbenchMap = {
    state: function () { layoutLabels(); return state; },
    toggleBranch: toggleBranch,
    savePng: savePng,
    saveSvg: saveSvg,
    scene: scene
  };
})();
</script>
"""


def toolbar_html(text: dict[str, str]) -> str:
    """Return the map's buttons (escaped labels)."""
    buttons = [
        ("wb-full", text["full"], None),
        ("wb-png", text["png"], None),
        ("wb-svg", text["svg"], None),
        ("wb-labels", text["labels"], "false"),
        ("wb-legend-toggle", text["legend"], "true"),
        ("wb-fit", text["fit"], None),
    ]
    parts = ['<div id="wb-toolbar">']
    for button_id, label, pressed in buttons:
        attribute = f' aria-pressed="{pressed}"' if pressed else ""
        parts.append(
            f'<button type="button" id="{button_id}"{attribute}>'
            + html.escape(label)
            + "</button>"
        )
    parts.append('</div><div id="wb-message" role="status"></div>')
    return "".join(parts)


def decorate(page: str, *, overlay: str, config: dict[str, Any], font: str) -> str:
    """Return the pyvis page with the overlay inside the map's card and the script after."""
    style = _STYLE.replace("__FONT__", font)
    page = page.replace("</head>", style + "</head>", 1)
    marker = '<div id="mynetwork" class="card-body"></div>'
    page = page.replace(marker, marker + overlay, 1)
    script = EXPORT_SCRIPT + _SCRIPT.replace("__CONFIG__", json_for_script(config))
    return page.replace("</body>", script + "</body>", 1)
