"""The map as a picture for slides: the legend drawn into the PNG, and an SVG.

The script below runs inside the map's page and touches neither the page nor
the network while it is defined: ``WorkbenchExport`` takes plain objects (a
*scene*: what is on screen, collected by the page's own script from vis-network's
positions and styles) and returns draw operations or SVG text, so it is tested
outside a browser as well as in one.

Safety: every text that enters the SVG (people's names, titles, the account's
name, the legend) passes through ``xmlText``, which escapes ``& < > " '`` and drops
the characters XML 1.0 cannot hold; numbers are rounded numbers, colours our own
constants (escaped all the same). On the PNG, texts are drawn with ``fillText`` on
a canvas, which never reads markup. Nothing is fetched: no fonts, no images.
"""

from __future__ import annotations

#: The legend panel beside the map in the exports, in CSS pixels.
LEGEND_WIDTH_PX = 300

EXPORT_SCRIPT = r"""
<script type="text/javascript">
var WorkbenchExport = (function () {
  var LEGEND_WIDTH = __LEGEND_WIDTH__;
  var UNIT_SHAPES = {
    star: [[0, -1], [0.2245, -0.309], [0.951, -0.309], [0.363, 0.118], [0.588, 0.809],
           [0, 0.382], [-0.588, 0.809], [-0.363, 0.118], [-0.951, -0.309], [-0.2245, -0.309]],
    hexagon: [[0, -1], [0.866, -0.5], [0.866, 0.5], [0, 1], [-0.866, 0.5], [-0.866, -0.5]],
    square: [[-1, -1], [1, -1], [1, 1], [-1, 1]],
    diamond: [[0, -1], [1, 0], [0, 1], [-1, 0]],
    triangle: [[0, -1], [0.866, 0.5], [-0.866, 0.5]],
    triangleDown: [[0, 1], [0.866, -0.5], [-0.866, -0.5]]
  };

  function xmlText(value) {
    // characters XML 1.0 cannot hold are dropped; markup characters escaped
    return String(value === undefined || value === null ? "" : value)
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function num(value) {
    var n = Number(value);
    return isFinite(n) ? String(Math.round(n * 100) / 100) : "0";
  }

  function paint(colour) {
    return !colour || colour === "transparent" ? "none" : xmlText(colour);
  }

  function legendOps(legend, title) {
    // The legend as draw operations in CSS pixels, from (0, 0); two rows to a
    // line when a block's labels are short, as on the map.
    var pad = 12, line = 18, column = (LEGEND_WIDTH - 2 * pad) / 2;
    var ops = [], y = pad;
    ops.push({ op: "text", x: pad, y: y + 14, text: title, size: 15, bold: true });
    y += 22;
    legend.forEach(function (block) {
      y += 4;
      ops.push({ op: "text", x: pad, y: y + 13, text: block.title, size: 13, bold: true });
      y += line;
      block.rows.forEach(function (row, index) {
        var left = pad + (block.wide ? 0 : (index % 2) * column);
        ops.push({ op: "mark", x: left + 7, y: y + 9, mark: row });
        ops.push({ op: "text", x: left + 20, y: y + 13, text: row.label, size: 12, bold: false });
        if (block.wide || index % 2 === 1 || index === block.rows.length - 1) { y += line; }
      });
    });
    return { ops: ops, width: LEGEND_WIDTH, height: y + pad };
  }

  function placement(mapWidth, mapHeight, layout, legendAt) {
    // Where the legend goes in the picture: where it stands on the map when it is
    // shown there (the map was fitted beside it), else to the right of the map.
    if (legendAt) {
      return { x: legendAt.x, y: legendAt.y, width: mapWidth,
               height: Math.max(mapHeight, legendAt.y + layout.height) };
    }
    return { x: mapWidth, y: 0, width: mapWidth + layout.width,
             height: Math.max(mapHeight, layout.height) };
  }

  function drawOps(ctx, layout, dx, dy, k, font) {
    // The legend on a canvas (the PNG): a white panel, then each operation.
    ctx.save();
    ctx.translate(dx, dy);
    ctx.scale(k, k);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, layout.width, layout.height);
    ctx.strokeStyle = "#d0d0d0";
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, layout.width - 1, layout.height - 1);
    layout.ops.forEach(function (op) {
      if (op.op === "text") {
        ctx.fillStyle = "#222222";
        ctx.font = (op.bold ? "bold " : "") + op.size + "px " + font;
        ctx.textAlign = "left";
        ctx.textBaseline = "alphabetic";
        ctx.fillText(op.text, op.x, op.y);
        return;
      }
      var mark = op.mark;
      ctx.setLineDash(mark.dashed ? [4, 3] : []);
      if (mark.kind === "glyph") {
        ctx.fillStyle = mark.colour;
        ctx.font = "14px " + font;
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText(mark.glyph, op.x, op.y);
      } else if (mark.kind === "line") {
        ctx.beginPath();
        ctx.moveTo(op.x - 9, op.y);
        ctx.lineTo(op.x + 9, op.y);
        ctx.strokeStyle = mark.colour;
        ctx.lineWidth = 3;
        ctx.stroke();
      } else {
        ctx.beginPath();
        ctx.arc(op.x, op.y, 6.5, 0, 2 * Math.PI);
        if (mark.colour !== "transparent") { ctx.fillStyle = mark.colour; ctx.fill(); }
        if (mark.ring !== "transparent") {
          ctx.strokeStyle = mark.ring;
          ctx.lineWidth = mark.ringPx;
          ctx.stroke();
        }
      }
      ctx.setLineDash([]);
    });
    ctx.restore();
  }

  function opsSvg(layout, dx, dy) {
    var out = ['<g class="legend" transform="translate(' + num(dx) + "," + num(dy) + ')">',
      '<rect x="0.5" y="0.5" width="' + num(layout.width - 1) + '" height="' +
      num(layout.height - 1) + '" fill="#ffffff" stroke="#d0d0d0"/>'];
    layout.ops.forEach(function (op) {
      if (op.op === "text") {
        out.push('<text x="' + num(op.x) + '" y="' + num(op.y) + '" font-size="' +
          num(op.size) + '"' + (op.bold ? ' font-weight="bold"' : "") +
          ' fill="#222222">' + xmlText(op.text) + "</text>");
        return;
      }
      var mark = op.mark;
      var dash = mark.dashed ? ' stroke-dasharray="4 3"' : "";
      if (mark.kind === "glyph") {
        out.push('<text x="' + num(op.x) + '" y="' + num(op.y + 5) +
          '" font-size="14" text-anchor="middle" fill="' + paint(mark.colour) + '">' +
          xmlText(mark.glyph) + "</text>");
      } else if (mark.kind === "line") {
        out.push('<line x1="' + num(op.x - 9) + '" y1="' + num(op.y) + '" x2="' +
          num(op.x + 9) + '" y2="' + num(op.y) + '" stroke="' + paint(mark.colour) +
          '" stroke-width="3"' + dash + "/>");
      } else {
        out.push('<circle cx="' + num(op.x) + '" cy="' + num(op.y) + '" r="6.5" fill="' +
          paint(mark.colour) + '" stroke="' + paint(mark.ring) + '" stroke-width="' +
          num(mark.ringPx) + '"' + dash + "/>");
      }
    });
    out.push("</g>");
    return out.join("\n");
  }

  function nodeSvg(node) {
    var style = ' fill="' + paint(node.fill) + '" stroke="' + paint(node.stroke) +
      '" stroke-width="' + num(node.strokeWidth) + '"' +
      (node.dashes ? ' stroke-dasharray="' + node.dashes.map(num).join(" ") + '"' : "") +
      (node.opacity < 1 ? ' opacity="' + num(node.opacity) + '"' : "");
    var unit = UNIT_SHAPES[node.shape];
    if (!unit) {
      return '<circle cx="' + num(node.x) + '" cy="' + num(node.y) + '" r="' +
        num(node.size) + '"' + style + "/>";
    }
    var points = unit.map(function (p) {
      return num(node.x + p[0] * node.size) + "," + num(node.y + p[1] * node.size);
    });
    return '<polygon points="' + points.join(" ") + '"' + style + "/>";
  }

  function labelSvg(node) {
    var text = String(node.label || "").trim();
    if (!text) { return ""; }
    var lines = text.split("\n");
    var top = node.y + node.size + node.labelPx;
    return '<text x="' + num(node.x) + '" y="' + num(top) + '" font-size="' +
      num(node.labelPx) + '" text-anchor="middle" fill="#222222" stroke="#ffffff"' +
      ' stroke-width="3" paint-order="stroke">' +
      lines.map(function (line, index) {
        return '<tspan x="' + num(node.x) + '" dy="' + (index ? "1.2em" : "0") + '">' +
          xmlText(line) + "</tspan>";
      }).join("") + "</text>";
  }

  function marksSvg(node) {
    var out = [];
    if (node.unknownRole) {
      out.push('<text x="' + num(node.x) + '" y="' + num(node.y + node.size * 0.4) +
        '" font-size="' + num(node.size * 1.1) + '" font-weight="bold"' +
        ' text-anchor="middle" fill="#333333">?</text>');
    }
    if (node.badge) {
      var x = node.x + node.size * 0.85, y = node.y - node.size * 0.85;
      var r = node.badgeRadius;
      out.push('<circle cx="' + num(x) + '" cy="' + num(y) + '" r="' + num(r) +
        '" fill="' + paint(node.badge.colour) + '" stroke="#ffffff" stroke-width="1.5"/>');
      out.push('<text x="' + num(x) + '" y="' + num(y + r * 0.4) + '" font-size="' +
        num(r * 1.15) + '" font-weight="bold" text-anchor="middle" fill="#ffffff">' +
        xmlText(node.badge.score) + "</text>");
    }
    return out.join("");
  }

  function edgeSvg(edge) {
    var out = ['<line x1="' + num(edge.x1) + '" y1="' + num(edge.y1) + '" x2="' +
      num(edge.x2) + '" y2="' + num(edge.y2) + '" stroke="' + paint(edge.colour) +
      '" stroke-width="' + num(edge.width) + '"' +
      (edge.dashed ? ' stroke-dasharray="6 4"' : "") +
      (edge.opacity < 1 ? ' stroke-opacity="' + num(edge.opacity) + '"' : "") + "/>"];
    var dx = edge.x2 - edge.x1, dy = edge.y2 - edge.y1;
    var length = Math.sqrt(dx * dx + dy * dy);
    if (edge.arrow && length > edge.targetSize + 1) {
      // an arrowhead where the line meets the target's edge
      var ux = dx / length, uy = dy / length, size = 6 + edge.width;
      var tipX = edge.x2 - ux * edge.targetSize, tipY = edge.y2 - uy * edge.targetSize;
      var baseX = tipX - ux * size, baseY = tipY - uy * size;
      out.push('<polygon points="' + [
        num(tipX) + "," + num(tipY),
        num(baseX - uy * size / 2) + "," + num(baseY + ux * size / 2),
        num(baseX + uy * size / 2) + "," + num(baseY - ux * size / 2)
      ].join(" ") + '" fill="' + paint(edge.colour) + '"' +
        (edge.opacity < 1 ? ' fill-opacity="' + num(edge.opacity) + '"' : "") + "/>");
    }
    return out.join("");
  }

  function buildSvg(scene) {
    // One SVG: the map as on screen, its caption, and the legend (see placement).
    var legend = legendOps(scene.legend, scene.legendTitle);
    var at = placement(scene.width, scene.height, legend, scene.legendAt);
    var width = at.width, height = at.height;
    var out = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<svg xmlns="http://www.w3.org/2000/svg" width="' + num(width) + '" height="' +
        num(height) + '" viewBox="0 0 ' + num(width) + " " + num(height) +
        '" font-family="' + xmlText(scene.font) + '">',
      "<title>" + xmlText(scene.caption) + "</title>",
      '<rect x="0" y="0" width="' + num(width) + '" height="' + num(height) +
        '" fill="#ffffff"/>',
      '<svg x="0" y="0" width="' + num(scene.width) + '" height="' + num(scene.height) +
        '" overflow="hidden">',
      '<g class="edges">'
    ];
    scene.edges.forEach(function (edge) { out.push(edgeSvg(edge)); });
    out.push('</g><g class="people">');
    scene.nodes.forEach(function (node) { out.push(nodeSvg(node)); });
    scene.nodes.forEach(function (node) { out.push(marksSvg(node)); });
    out.push('</g><g class="labels">');
    scene.nodes.forEach(function (node) { out.push(labelSvg(node)); });
    out.push("</g>");
    out.push('<text x="' + num(scene.width - 12) + '" y="' + num(scene.height - 10) +
      '" font-size="16" font-weight="bold" text-anchor="end" fill="#222222">' +
      xmlText(scene.caption) + "</text>");
    out.push("</svg>");
    out.push(opsSvg(legend, at.x, at.y));
    out.push("</svg>");
    return out.join("\n");
  }

  return {
    xmlText: xmlText,
    legendOps: legendOps,
    placement: placement,
    drawOps: drawOps,
    buildSvg: buildSvg
  };
})();
</script>
""".replace("__LEGEND_WIDTH__", str(LEGEND_WIDTH_PX))
