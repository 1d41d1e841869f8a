// A data table wider than the screen scrolls inside its box (.table-wrap, static/css/portal.css).
// Keyboard users must be able to scroll it too (WCAG 2.1.1): while the box actually
// scrolls it becomes a named, focusable region (arrow keys scroll it); when it fits again it
// leaves the tab order, so wide screens get no extra tab stops.
(function () {
  "use strict";
  var MARK = "data-scroll-box";
  var uid = 0;

  function nameFor(box) {
    var table = box.querySelector("table");
    if (!table) return null;
    if (table.getAttribute("aria-labelledby")) return table.getAttribute("aria-labelledby");
    var caption = table.querySelector("caption");
    if (!caption) return null;
    if (!caption.id) caption.id = "table-caption-" + (++uid);
    return caption.id;
  }

  function update(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute(MARK, "");
      var labelledby = nameFor(box);
      if (labelledby) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-labelledby", labelledby);
      }
    } else if (!scrolls && box.hasAttribute(MARK)) {
      ["tabindex", "role", "aria-labelledby", MARK].forEach(function (name) {
        box.removeAttribute(name);
      });
    }
  }

  var observer = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target); });
  }) : null;

  function setUp(root) {
    root = root || document;
    // New rows swapped into a box change what it holds, not its size.
    var around = root.closest ? root.closest(".table-wrap") : null;
    if (around) update(around);
    Array.prototype.forEach.call(root.querySelectorAll(".table-wrap"), function (box) {
      update(box);
      if (observer) observer.observe(box);
    });
  }

  // Content that htmx swapped in (htmx:load fires on each new element).
  document.addEventListener("htmx:load", function (event) {
    setUp(event.detail && event.detail.elt);
  });
  if (!observer) window.addEventListener("resize", function () { setUp(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
