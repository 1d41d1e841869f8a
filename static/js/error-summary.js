// The error summary of a form (templates/includes/form.html) takes the focus after a failed
// submit, so keyboard and screen-reader users land on the list of problems (WCAG 3.3.1,
// 2.4.3); its links then move the focus to the field itself, not only scroll to it.
// Progressive enhancement: without JavaScript the summary and its links are still there.
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!field) return;
    event.preventDefault();
    // Show the field's label or legend with it, as the user reads it before the field.
    var group = field.closest("fieldset, .field") || field;
    group.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });

  // A form re-rendered by htmx with its errors: the summary in the new content.
  document.addEventListener("htmx:afterSettle", function (event) {
    focusSummary(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  } else {
    focusSummary(document);
  }
})();
