// The report request form shows only the filters and formats the chosen report reads.
// Without JavaScript every filter shows, and the server drops the ones a report ignores.
(function () {
  "use strict";
  var form = document.querySelector("[data-report-form]");
  if (!form) {
    return;
  }
  var radios = form.querySelectorAll("input[name=report][data-filters]");
  var filters = form.querySelectorAll("[data-report-filter]");
  var formats = form.querySelectorAll("input[name=format]");

  function update() {
    var chosen = form.querySelector("input[name=report][data-filters]:checked");
    var allowed = chosen ? chosen.getAttribute("data-filters").split(" ") : null;
    var allowedFormats = chosen ? chosen.getAttribute("data-formats").split(" ") : null;
    filters.forEach(function (wrapper) {
      var show = !allowed || allowed.indexOf(wrapper.getAttribute("data-report-filter")) !== -1;
      wrapper.hidden = !show;
    });
    formats.forEach(function (input) {
      var ok = !allowedFormats || allowedFormats.indexOf(input.value) !== -1;
      input.disabled = !ok;
      if (!ok && input.checked) {
        input.checked = false;
      }
      if (ok && allowedFormats && allowedFormats.length === 1) {
        input.checked = true;
      }
    });
  }

  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
