// Offline street base map (Leaflet) over the server-drawn SVG maps.
//
// Progressive enhancement: without JavaScript, or if Leaflet or the data fail to load, the
// page keeps the server-rendered SVG and its caption (the text equivalent). With it, each
// <figure class="map" data-basemap> gets a Leaflet map drawn from the portal's own static
// GeoJSON layers (no tile server, no request leaving the site) with the figure's SVG
// perimeters, places and arrows on top; the SVG stays below as the region overview.
// Configuration (layer URLs, translated labels) comes from the JSON block #basemap-config,
// which the CSP allows because it is data, not script.
(function () {
  "use strict";
  if (!window.L || !document.querySelector) return;
  var configNode = document.getElementById("basemap-config");
  if (!configNode) return;
  var config = JSON.parse(configNode.textContent);
  var lang = (document.documentElement.lang || "fr").slice(0, 2);
  var STREET_LABEL_ZOOM = 16;
  var MAX_STREET_LABELS = 80;
  var COMMUNE_LABEL_ZOOMS = [10, 14.5];
  var DETAIL_ZOOM = 14;  // from here on, streets are drawn wider

  var STATUS_COLOURS = {
    active: ["#c0392b", "#8b1215"],
    approved: ["#5b9bd5", "#0b4f8a"],
    proposed: ["#f2c230", "#8a6d00"],
    awaiting_approval: ["#f2c230", "#8a6d00"],
    closed: ["#9aa5b1", "#52606d"],
    rejected: ["#9aa5b1", "#52606d"]
  };
  var DEFAULT_COLOURS = ["#e8590c", "#c2410c"];
  var AREA_STYLES = {
    "buffer-ring": { color: "#5f3dc4", fillColor: "#d0bfff", fillOpacity: 0.35, weight: 2, dashArray: "6 4" },
    "control-area": { color: "#495057", fillColor: "#e9ecef", fillOpacity: 0.3, weight: 1.5, dashArray: "2 4" }
  };
  function areaOf(el) {
    var cls = el.getAttribute("class") || "";
    if (/\bbuffer-ring\b/.test(cls)) return "buffer-ring";
    if (/\bcontrol-area\b/.test(cls)) return "control-area";
    return "";
  }
  var STREET_STYLE = {
    major: { color: "#e8a33d", weight: 5 },
    medium: { color: "#f3cf6b", weight: 4 },
    minor: { color: "#ffffff", weight: 3 },
    pedestrian: { color: "#dcdce8", weight: 3 },
    service: { color: "#ffffff", weight: 1.5 }
  };

  // Cache of fetched layers: every map on the page shares one download per file.
  var layerData = {};
  function load(name) {
    if (!layerData[name]) {
      layerData[name] = fetch(config.layers[name], { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(name + ": HTTP " + r.status);
        return r.json();
      });
    }
    return layerData[name];
  }

  function localName(props) {
    if (!props) return "";
    if (lang === "nl") return props.name_nl || props.name_fr || props.name || "";
    return props.name_fr || props.name_nl || props.name || "";
  }

  // --- Reading the SVG drawn by coordination/core/geo.py (its projection is on the svg).
  function projectionOf(svg) {
    var d = svg.dataset;
    var p = {
      minx: parseFloat(d.minx), maxy: parseFloat(d.maxy), kx: parseFloat(d.kx),
      scale: parseFloat(d.scale), margin: parseFloat(d.margin)
    };
    if ([p.minx, p.maxy, p.kx, p.scale, p.margin].some(isNaN)) return null;
    return function (x, y) {
      return L.latLng(p.maxy - (y - p.margin) / p.scale, p.minx + (x - p.margin) / (p.kx * p.scale));
    };
  }

  function ringsOf(pathData, toLatLng) {
    var rings = [];
    (pathData || "").split("Z").forEach(function (part) {
      part = part.replace(/^\s*M/, "");
      if (!part.trim()) return;
      var ring = part.split("L").map(function (pair) {
        var xy = pair.trim().split(/\s+/);
        return toLatLng(parseFloat(xy[0]), parseFloat(xy[1]));
      });
      if (ring.length >= 3) rings.push(ring);
    });
    return rings;
  }

  function statusOf(el) {
    var classes = (el.getAttribute("class") || "").split(/\s+/);
    for (var i = 0; i < classes.length; i++) {
      if (classes[i].indexOf("status-") === 0) return classes[i].slice(7);
    }
    return "";
  }

  function titleOf(el) {
    var t = el.querySelector("title");
    return t ? t.textContent : "";
  }

  function textTooltip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function overlaysFrom(svg, toLatLng) {
    var group = L.featureGroup();
    svg.querySelectorAll(".map-areas .map-area").forEach(function (path) {
      var rings = ringsOf(path.getAttribute("d"), toLatLng);
      if (!rings.length) return;
      var colours = STATUS_COLOURS[statusOf(path)] || DEFAULT_COLOURS;
      var proposed = /\bperimeter-proposed\b/.test(path.getAttribute("class") || "");
      // One polygon per subpath: holes are kept by giving Leaflet the rings together.
      var polygon = L.polygon(rings, {
        color: colours[1], fillColor: colours[0], fillOpacity: 0.35, weight: 2.5,
        dashArray: proposed ? "6 4" : null
      });
      // The displacement quotient's buffer ring (dashed) and control area (dotted).
      var areaStyle = AREA_STYLES[areaOf(path)];
      if (areaStyle) polygon.setStyle(areaStyle);
      var label = titleOf(path);
      if (label) polygon.bindTooltip(textTooltip(label), { sticky: true });
      var link = path.closest("a");
      if (link && link.getAttribute("href")) {
        var href = link.getAttribute("href");
        polygon.on("click", function () { window.location.assign(href); });
      }
      group.addLayer(polygon);
    });
    svg.querySelectorAll(".map-points .map-point").forEach(function (circle) {
      var at = toLatLng(parseFloat(circle.getAttribute("cx")), parseFloat(circle.getAttribute("cy")));
      var marker = L.circleMarker(at, { radius: 6, color: "#ffffff", weight: 2, fillColor: "#1864ab", fillOpacity: 1 });
      var label = titleOf(circle);
      if (label) marker.bindTooltip(textTooltip(label));
      group.addLayer(marker);
    });
    svg.querySelectorAll(".map-arrows .map-arrow").forEach(function (line) {
      var from = toLatLng(parseFloat(line.getAttribute("x1")), parseFloat(line.getAttribute("y1")));
      var to = toLatLng(parseFloat(line.getAttribute("x2")), parseFloat(line.getAttribute("y2")));
      var arrow = L.polyline([from, to], { color: "#343a40", weight: 3 });
      var label = titleOf(line);
      if (label) arrow.bindTooltip(textTooltip(label), { sticky: true });
      group.addLayer(arrow);
      group.addLayer(L.circleMarker(to, { radius: 5, color: "#343a40", weight: 2, fillColor: "#ffffff", fillOpacity: 1 }));
    });
    return group;
  }

  // --- Base layers
  function drawBase(map, labels, areaLabels) {
    var pane = "basemap";
    var streets = [];
    var communes = [];
    function add(name, style) {
      return load(name).then(function (data) {
        var layer = L.geoJSON(data, {
          pane: pane, style: style, interactive: false, pmIgnore: true, snapIgnore: true
        });
        layer.addTo(map);
        return layer;
      });
    }
    // The order of the calls is the drawing order (each layer resolves to its own group,
    // added once all are loaded so water never ends up above the streets).
    var names = ["water", "parks", "railways", "streets", "stib_metro_tram", "boundaries"];
    return Promise.all(names.map(load)).then(function () {
      return Promise.all([
        add("water", function (f) {
          var line = f.geometry && /LineString/.test(f.geometry.type);
          return { color: "#7fb2e5", weight: line ? 2 : 0.5, fillColor: "#aad3f5", fillOpacity: 1 };
        }),
        add("parks", function () { return { color: "#9fce8a", weight: 0.5, fillColor: "#cde8bf", fillOpacity: 1 }; }),
        add("railways", function (f) {
          var props = f.properties || {};
          if (props.class !== "rail") return { color: "#9a9a9a", weight: 1, opacity: props.tunnel ? 0.2 : 0.5 };
          return { color: "#707070", weight: 2, dashArray: props.tunnel ? "2 4" : "8 4", opacity: props.tunnel ? 0.4 : 1 };
        }),
        add("streets", streetStyle(map)),
        add("stib_metro_tram", function (f) {
          var props = f.properties || {};
          var metro = props.route === "subway";
          var colour = /^#[0-9a-fA-F]{6}$/.test(props.colour || "") ? props.colour : "#d6336c";
          return { color: colour, weight: metro ? 3 : 1.5, opacity: metro ? 0.8 : 0.6 };
        }),
        add("boundaries", function () { return { color: "#6b5b95", weight: 1.5, dashArray: "5 4", fill: false }; })
      ]);
    }).then(function (layers) {
      // Streets get wider from DETAIL_ZOOM on (restyled only when crossing that zoom).
      var detailed = map.getZoom() >= DETAIL_ZOOM;
      map.on("zoomend", function () {
        if ((map.getZoom() >= DETAIL_ZOOM) !== detailed) {
          detailed = !detailed;
          layers[3].setStyle(streetStyle(map));
        }
      });
      layers[3].eachLayer(function (layer) {
        var name = localName(layer.feature.properties);
        if (name) streets.push({ name: name, layer: layer, bounds: layer.getBounds() });
      });
      layers[5].eachLayer(function (layer) {
        var props = layer.feature.properties || {};
        if (props.admin_level !== 8) return;  // the region outline carries no label
        communes.push({ name: localName(props), center: layer.getBounds().getCenter() });
      });
      function relabel() { updateLabels(map, labels, streets, communes, areaLabels); }
      map.on("moveend", relabel);
      relabel();
    });
  }

  function streetStyle(map) {
    var scale = map.getZoom() >= DETAIL_ZOOM ? 1 : 0.45;
    return function (f) {
      var style = STREET_STYLE[(f.properties || {}).class] || STREET_STYLE.minor;
      return { color: style.color, weight: Math.max(style.weight * scale, 0.8), opacity: 1, lineCap: "round" };
    };
  }

  // The street's vertices inside the view, nearest to the centre first: the places its
  // label may go (the first that clashes with no other label is taken).
  function labelSpots(layer, center, bounds) {
    var spots = [];
    var lines = layer.getLatLngs();
    if (lines.length && !Array.isArray(lines[0])) lines = [lines];
    lines.forEach(function (line) {
      line.forEach(function (latlng) {
        if (bounds.contains(latlng)) spots.push({ at: latlng, distance: latlng.distanceTo(center) });
      });
    });
    spots.sort(function (a, b) { return a.distance - b.distance; });
    return spots;
  }

  // Labels never overlap: they are placed in order of priority (hotspot codes, then
  // commune names, then streets nearest the centre) and any label whose estimated box
  // would touch one already placed is left out.
  function Placer(map) {
    var placed = [];
    this.count = 0;
    this.tryPlace = function (latlng, text, fontPx) {
      var at = map.latLngToContainerPoint(latlng);
      var half = text.length * fontPx * 0.3 + 6;
      var box = { x1: at.x - half, x2: at.x + half, y1: at.y - fontPx, y2: at.y + fontPx };
      var clash = placed.some(function (b) {
        return box.x1 < b.x2 && b.x1 < box.x2 && box.y1 < b.y2 && b.y1 < box.y2;
      });
      if (clash) return false;
      placed.push(box);
      this.count += 1;
      return true;
    };
  }

  function addLabel(labels, latlng, text, className) {
    labels.addLayer(L.tooltip({ permanent: true, direction: "center", className: className, interactive: false })
      .setLatLng(latlng).setContent(textTooltip(text)));
  }

  function updateLabels(map, labels, streets, communes, areaLabels) {
    labels.clearLayers();
    var zoom = map.getZoom();
    var view = map.getBounds();
    var placer = new Placer(map);
    areaLabels.forEach(function (a) {
      if (view.contains(a.at) && placer.tryPlace(a.at, a.text, 13)) addLabel(labels, a.at, a.text, "area-label");
    });
    if (zoom >= COMMUNE_LABEL_ZOOMS[0] && zoom <= COMMUNE_LABEL_ZOOMS[1]) {
      communes.forEach(function (c) {
        if (view.contains(c.center) && placer.tryPlace(c.center, c.name, 12)) {
          addLabel(labels, c.center, c.name, "commune-label");
        }
      });
    }
    if (zoom < STREET_LABEL_ZOOM) return;
    var inner = view.pad(-0.05);
    var center = view.getCenter();
    var candidates = [];
    // A street split into several pieces is one candidate with the spots of all pieces.
    var byName = {};
    streets.forEach(function (s) {
      if (!inner.intersects(s.bounds)) return;
      var spots = labelSpots(s.layer, center, inner);
      if (!spots.length) return;
      if (!byName[s.name]) {
        byName[s.name] = { name: s.name, spots: [] };
        candidates.push(byName[s.name]);
      }
      byName[s.name].spots = byName[s.name].spots.concat(spots);
    });
    candidates.forEach(function (c) {
      c.spots.sort(function (a, b) { return a.distance - b.distance; });
      c.distance = c.spots[0].distance;
    });
    candidates.sort(function (a, b) { return a.distance - b.distance; });
    var streetCount = 0;
    candidates.forEach(function (c) {
      if (streetCount >= MAX_STREET_LABELS) return;
      for (var i = 0; i < c.spots.length && i < 12; i++) {
        if (placer.tryPlace(c.spots[i].at, c.name, 12)) {
          streetCount += 1;
          addLabel(labels, c.spots[i].at, c.name, "street-label");
          return;
        }
      }
    });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  // --- Drawing a perimeter (Leaflet-Geoman) into the form's GeoJSON field.
  function setUpDrawing(map, figure) {
    var field = document.getElementById(figure.dataset.target);
    if (!field) return;
    if (map.pm.setLang && (lang === "fr" || lang === "nl")) map.pm.setLang(lang);
    map.pm.setGlobalOptions({ snappable: true, snapDistance: 15, allowSelfIntersection: false });
    map.pm.addControls({
      position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
      drawRectangle: true, drawPolygon: true, drawCircle: false, drawText: false,
      cutPolygon: false, rotateMode: false, editMode: true, dragMode: true, removalMode: true
    });
    var drawn = L.featureGroup().addTo(map);

    function round(coords) {
      if (typeof coords[0] === "number") {
        return [Math.round(coords[0] * 1e6) / 1e6, Math.round(coords[1] * 1e6) / 1e6];
      }
      return coords.map(round);
    }
    function write() {
      var shapes = drawn.getLayers().filter(function (layer) { return layer instanceof L.Polygon; });
      if (!shapes.length) {
        field.value = "";
      } else {
        var geometry = shapes[0].toGeoJSON().geometry;
        field.value = JSON.stringify({ type: geometry.type, coordinates: round(geometry.coordinates) });
      }
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function keep(layer) {
      // One perimeter: a new drawing replaces the previous one.
      drawn.eachLayer(function (old) { if (old !== layer) { drawn.removeLayer(old); map.removeLayer(old); } });
      drawn.addLayer(layer);
      layer.on("pm:edit pm:dragend", write);
      layer.on("pm:remove", function () { drawn.removeLayer(layer); write(); });
      write();
    }
    // The field's current perimeter (pasted, uploaded or saved) can be edited on the map.
    try {
      var current = field.value.trim() ? JSON.parse(field.value) : null;
      if (current) {
        L.geoJSON(current).eachLayer(function (layer) {
          if (layer instanceof L.Polygon && !drawn.getLayers().length) drawn.addLayer(layer);
        });
        drawn.eachLayer(function (layer) {
          layer.on("pm:edit pm:dragend", write);
          layer.on("pm:remove", function () { drawn.removeLayer(layer); write(); });
        });
        if (drawn.getLayers().length) map.fitBounds(drawn.getBounds().pad(0.3), { maxZoom: 17 });
      }
    } catch (error) {
      // Not valid JSON: the server explains what is wrong when the form is sent.
    }
    map.on("pm:create", function (event) { keep(event.layer); });
  }

  // --- Placing a report's point: a click on the street map fills the form's longitude
  // and latitude (point-pick.js keeps the SVG's mark and the text in step).
  function setUpPicking(map, figure) {
    var lon = document.getElementById(figure.dataset.lon);
    var lat = document.getElementById(figure.dataset.lat);
    if (!lon || !lat) return;
    var marker = null;
    function show() {
      var lo = parseFloat(lon.value), la = parseFloat(lat.value);
      if (isNaN(lo) || isNaN(la)) {
        if (marker) { map.removeLayer(marker); marker = null; }
        return;
      }
      var at = L.latLng(la, lo);
      if (marker) {
        marker.setLatLng(at);
      } else {
        marker = L.circleMarker(at, {
          radius: 8, color: "#1a1a1a", weight: 3, fillColor: "#f2a900", fillOpacity: 1
        }).addTo(map);
      }
    }
    map.on("click", function (event) {
      lon.value = String(Math.round(event.latlng.lng * 1e6) / 1e6);
      lat.value = String(Math.round(event.latlng.lat * 1e6) / 1e6);
      [lon, lat].forEach(function (input) {
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      show();
    });
    [lon, lat].forEach(function (input) {
      input.addEventListener("input", show);
      input.addEventListener("change", show);
    });
    show();
  }

  function setUp(figure) {
    var svg = figure.querySelector("svg.map");
    if (!svg || figure.classList.contains("has-basemap")) return;
    var toLatLng = projectionOf(svg);
    if (!toLatLng) return;
    var container = document.createElement("div");
    container.className = "leaflet-map";
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", config.labels.map);
    var drawing = figure.hasAttribute("data-perimeter-draw");
    var picking = figure.hasAttribute("data-point-pick");
    // On the drawing and point pages the SVG (which has its own click script) stays first
    // and full size; the street map with the same tool comes after it.
    figure.insertBefore(container, drawing || picking ? svg.nextSibling : svg);
    figure.classList.add("has-basemap");

    var map = L.map(container, {
      preferCanvas: true, keyboard: true, minZoom: 11, maxZoom: 19, zoomSnap: 0.25,
      maxBounds: L.latLngBounds(config.bounds).pad(0.2), attributionControl: true
    });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(
      '<a href="' + escapeHtml(config.attribution.url) + '">' + escapeHtml(config.attribution.text) + "</a>"
    );
    map.createPane("basemap").style.zIndex = 350;
    map.getPane("basemap").style.pointerEvents = "none";
    var overlays = overlaysFrom(svg, toLatLng).addTo(map);
    var overlayBounds = overlays.getLayers().length ? overlays.getBounds() : null;
    // A figure showing the whole region keeps it whole; one showing a perimeter zooms in.
    var svgBox = svg.viewBox && svg.viewBox.baseVal;
    var svgBounds = svgBox && svgBox.width
      ? L.latLngBounds(toLatLng(0, 0), toLatLng(svgBox.width, svgBox.height)) : null;
    if (figure.hasAttribute("data-basemap-region")) {
      map.fitBounds(config.bounds);
    } else if (drawing || !overlayBounds || !overlayBounds.isValid()) {
      map.fitBounds(svgBounds || config.bounds);
    } else {
      map.fitBounds(overlayBounds.pad(0.3), { maxZoom: 17 });
    }
    var labels = L.layerGroup().addTo(map);
    // On a region map each perimeter carries its code (the first word of its title) as a
    // permanent label; the full title is in its tooltip and in the list beside the map.
    var areaLabels = [];
    if (figure.hasAttribute("data-basemap-region")) {
      overlays.eachLayer(function (layer) {
        if (!(layer instanceof L.Polygon) || !layer.getTooltip()) return;
        var text = layer.getTooltip().getContent().textContent.split(" ")[0];
        if (text) areaLabels.push({ at: layer.getBounds().getCenter(), text: text });
      });
    }
    container.basemap = map;  // for tests and the drawing tool
    if (drawing && map.pm) setUpDrawing(map, figure);
    if (picking) setUpPicking(map, figure);
    drawBase(map, labels, areaLabels).then(function () {
      container.setAttribute("data-basemap-ready", "");
    }).catch(function () {
      // The data did not load: the SVG below still shows everything.
      container.setAttribute("data-basemap-failed", "");
    });
  }

  function init() {
    document.querySelectorAll("figure.map[data-basemap]").forEach(setUp);
  }
  // htmx swaps in new results (with a new figure) when a filter changes.
  document.addEventListener("htmx:afterSettle", init);
  // DOMContentLoaded comes after every deferred script, including the drawing plugin.
  if (document.readyState !== "complete") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
