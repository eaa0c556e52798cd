// Nakhon Ceramic: a long checkbox list (FilterableCheckboxSelectMultiple) gets a filter
// box and a live count of ticked boxes. Without this script the list still works.
(function () {
  "use strict";

  function normalise(text) {
    return (text || "").normalize("NFC").toLocaleLowerCase().trim();
  }

  function setUp(root) {
    if (root.dataset.ready) {
      return;
    }
    root.dataset.ready = "1";
    var filterBox = root.querySelector("[data-filter]");
    var input = root.querySelector("[data-filter-input]");
    var count = root.querySelector("[data-chosen-count]");
    var noMatch = root.querySelector("[data-no-match]");
    var options = Array.prototype.slice.call(root.querySelectorAll("[data-option]"));

    function filter() {
      var query = normalise(input.value);
      var shown = 0;
      options.forEach(function (option) {
        var match = !query || normalise(option.dataset.search).indexOf(query) !== -1;
        option.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      noMatch.hidden = shown !== 0;
    }

    function recount() {
      var chosen = root.querySelectorAll('input[type="checkbox"]:checked').length;
      count.textContent = chosen
        ? count.dataset.some.replace("{count}", String(chosen))
        : count.dataset.none;
    }

    filterBox.hidden = false;
    input.addEventListener("input", filter);
    // Enter in the filter box filters; it must not submit the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    root.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") {
        recount();
      }
    });
  }

  function setUpAll(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("[data-filterable-checks]"), setUp);
  }

  setUpAll(document);
  document.addEventListener("htmx:load", function (event) {
    setUpAll(event.target);
  });
})();
