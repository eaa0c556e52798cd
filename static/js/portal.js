// Nakhon Ceramic: small glue between Django and htmx. Loaded after htmx.min.js.
(function () {
  "use strict";

  // Django's CSRF check on every htmx request; the token is in <meta name="csrf-token">.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // Content htmx swaps in may name the element that should take the focus
  // (data-nc-autofocus, with tabindex="-1"): the heading of the review queue's side panel
  // when it opens, the outcome of a decision after one. Without it the focus would stay
  // on the row link far behind, or fall to the top of the page with the button it was on.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var wanted = target && target.querySelector ? target.querySelector("[data-nc-autofocus]") : null;
    if (wanted) {
      wanted.focus();
    }
  });
})();
