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
})();
