/* Draws the dashboards' charts with Chart.js from the JSON the view renders. */
(function () {
  "use strict";
  var source = document.getElementById("hoitu-charts");
  if (!source || !window.Chart) return;
  var charts = JSON.parse(source.textContent);
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var config = charts[canvas.dataset.chart];
    if (config) new Chart(canvas, config);
  });
})();
