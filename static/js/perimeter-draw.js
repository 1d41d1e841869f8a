// Draw a hotspot perimeter by clicking on the server-rendered SVG map.
// Progressive enhancement: without JavaScript the GeoJSON text field and upload still work.
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";

  function setUp(figure) {
    var svg = figure.querySelector("svg");
    var field = document.getElementById(figure.dataset.target);
    if (!svg || !field) return;
    var p = {
      minx: parseFloat(svg.dataset.minx), maxy: parseFloat(svg.dataset.maxy),
      kx: parseFloat(svg.dataset.kx), scale: parseFloat(svg.dataset.scale),
      margin: parseFloat(svg.dataset.margin)
    };
    var corners = [];
    var outline = document.createElementNS(SVG_NS, "polygon");
    outline.setAttribute("fill", "#c0392b");
    outline.setAttribute("fill-opacity", "0.35");
    outline.setAttribute("stroke", "#8b1215");
    outline.setAttribute("stroke-width", "2");
    svg.appendChild(outline);
    figure.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    svg.style.cursor = "crosshair";

    function toLonLat(x, y) {
      var lon = p.minx + (x - p.margin) / (p.kx * p.scale);
      var lat = p.maxy - (y - p.margin) / p.scale;
      return [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
    }
    function toXY(lonlat) {
      return [p.margin + (lonlat[0] - p.minx) * p.kx * p.scale, p.margin + (p.maxy - lonlat[1]) * p.scale];
    }
    function redraw() {
      outline.setAttribute("points", corners.map(function (c) { return toXY(c).join(","); }).join(" "));
      if (corners.length >= 3) {
        var ring = corners.concat([corners[0]]);
        field.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else {
        field.value = "";
      }
    }
    svg.addEventListener("click", function (event) {
      event.preventDefault();
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(svg.getScreenCTM().inverse());
      corners.push(toLonLat(local.x, local.y));
      redraw();
    });
    var reset = figure.querySelector("[data-draw-reset]");
    if (reset) reset.addEventListener("click", function () { corners = []; redraw(); });
  }

  document.querySelectorAll("[data-perimeter-draw]").forEach(setUp);
})();
