// Bar charts of the dashboards: each <canvas data-chart="ID"> draws the JSON in the
// <script id="ID" type="application/json"> that Django's json_script wrote:
// {"labels": [...], "datasets": [{"label": ..., "data": [...]}], "horizontal": bool}.
// The same numbers are in a table beside each chart, for screen readers and print.
(function () {
  "use strict";

  var COLOURS = ["#8c4a2f", "#c9a66b", "#3f6e8c", "#6b8c3f"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var countAxis = { beginAtZero: true, ticks: { precision: 0 } };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: COLOURS[index % COLOURS.length],
          };
        }),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        scales: spec.horizontal ? { x: countAxis } : { y: countAxis },
        plugins: { legend: { display: spec.datasets.length > 1 } },
      },
    });
  }

  function drawAll() {
    if (typeof Chart !== "undefined") {
      // Canvas text does not inherit CSS: give the charts the page's (Thai-capable) font.
      Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  // Draw once Sarabun has loaded, or the first labels come out in a fallback font.
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(drawAll);
  } else {
    drawAll();
  }
})();
