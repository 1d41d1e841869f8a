// Place a point by clicking on the server-rendered SVG map: fills the longitude and latitude
// fields of the form. Progressive enhancement: without JavaScript the two number fields
// stay visible and are typed in. The projection is the inverse of coordination/geo.py's.
(function () {
  "use strict";
  var SVG_NS = "http://www.w3.org/2000/svg";

  function setUp(figure) {
    var svg = figure.querySelector("svg");
    var lon = document.getElementById(figure.dataset.lon);
    var lat = document.getElementById(figure.dataset.lat);
    if (!svg || !lon || !lat) return;
    var p = {
      minx: parseFloat(svg.dataset.minx), maxy: parseFloat(svg.dataset.maxy),
      kx: parseFloat(svg.dataset.kx), scale: parseFloat(svg.dataset.scale),
      margin: parseFloat(svg.dataset.margin)
    };
    var shown = figure.querySelector("[data-point-shown]");
    var clear = figure.querySelector("[data-point-clear]");
    var manual = figure.querySelector("[data-point-manual]");
    var wrappers = [lon, lat].map(function (input) { return input.closest(".field") || input; });

    var marker = document.createElementNS(SVG_NS, "circle");
    marker.setAttribute("class", "map-point picked-point");
    marker.setAttribute("r", "6");
    marker.setAttribute("fill", "#c0392b");
    marker.setAttribute("stroke", "#ffffff");
    marker.setAttribute("stroke-width", "2");
    marker.setAttribute("pointer-events", "none");

    function toLonLat(x, y) {
      var lo = p.minx + (x - p.margin) / (p.kx * p.scale);
      var la = p.maxy - (y - p.margin) / p.scale;
      return [Math.round(lo * 1e6) / 1e6, Math.round(la * 1e6) / 1e6];
    }
    function toXY(lo, la) {
      return [p.margin + (lo - p.minx) * p.kx * p.scale, p.margin + (p.maxy - la) * p.scale];
    }
    function redraw() {
      var lo = parseFloat(lon.value), la = parseFloat(lat.value);
      var placed = isFinite(lo) && isFinite(la);
      if (placed) {
        var xy = toXY(lo, la);
        marker.setAttribute("cx", xy[0]);
        marker.setAttribute("cy", xy[1]);
        if (!marker.parentNode) svg.appendChild(marker);
      } else if (marker.parentNode) {
        marker.parentNode.removeChild(marker);
      }
      if (shown) {
        shown.textContent = placed ? (shown.dataset.prefix || "") + lo + ", " + la : shown.dataset.empty;
      }
      if (clear) clear.hidden = !placed;
    }
    function showFields(visible) {
      wrappers.forEach(function (el) { el.hidden = !visible; });
      if (manual) manual.hidden = visible;
    }

    figure.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
    // The map replaces the number fields; they come back on request (keyboard users).
    showFields(false);
    svg.style.cursor = "crosshair";
    redraw();

    svg.addEventListener("click", function (event) {
      event.preventDefault();
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(svg.getScreenCTM().inverse());
      var lonlat = toLonLat(local.x, local.y);
      lon.value = lonlat[0];
      lat.value = lonlat[1];
      redraw();
    });
    if (clear) clear.addEventListener("click", function () {
      lon.value = "";
      lat.value = "";
      redraw();
    });
    if (manual) manual.addEventListener("click", function () {
      showFields(true);
      lon.focus();
    });
    [lon, lat].forEach(function (input) { input.addEventListener("input", redraw); });
  }

  document.querySelectorAll("[data-point-pick]").forEach(setUp);
})();
