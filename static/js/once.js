// One submission per form (coordination/core/once.py). The portal's pages are not kept by
// the browser (no-store): the back button fetches a form again after it was sent. Writing
// the form's one-time token into the page's address makes that second fetch show the same
// token, so sending the form again publishes nothing twice. Without JavaScript, the links
// that open a form carry the token already.
(function () {
  "use strict";
  var field = document.querySelector("form input[type=hidden][name=once]");
  if (!field || !field.value || !window.history || !window.history.replaceState) return;
  var url = new URL(window.location.href);
  if (url.searchParams.get("once") === field.value) return;
  url.searchParams.set("once", field.value);
  window.history.replaceState(window.history.state, "", url.toString());
})();
