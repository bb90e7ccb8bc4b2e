/* Draws the statistics pages' charts with Chart.js from the JSON the view renders
   ({{ charts|json_script:"hoitu-charts" }}) into every <canvas data-chart="key">.
   Loaded with `defer` in the page head, and it still waits for the DOM: the canvases and
   the JSON come after the script tag. Numbers read the Vietnamese way (1.234; 12,5;
   300.000 đ) on axes and in tooltips. */
(function () {
  "use strict";

  var number = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
  var UNITS = {
    vnd: function (v) { return number.format(v) + "\u00a0đ"; },
    hours: function (v) { return number.format(v) + " giờ"; },
  };

  function isEmpty(config) {
    return config.data.datasets.every(function (d) {
      return d.data.every(function (v) { return !v; });
    });
  }

  function configure(config) {
    var format = UNITS[config.unit] || number.format;
    delete config.unit;
    var options = (config.options = config.options || {});
    options.locale = "vi-VN";
    var plugins = (options.plugins = options.plugins || {});
    plugins.tooltip = plugins.tooltip || {};
    plugins.tooltip.callbacks = {
      label: function (ctx) {
        var value = typeof ctx.raw === "number" ? ctx.raw : ctx.parsed;
        var name = ctx.dataset.label || ctx.label || "";
        return (name ? name + ": " : "") + format(value);
      },
    };
    if (config.type === "bar" || config.type === "line") {
      var axis = options.indexAxis === "y" ? "x" : "y";
      var scales = (options.scales = options.scales || {});
      scales[axis] = scales[axis] || {};
      scales[axis].beginAtZero = true;
      scales[axis].ticks = { callback: function (v) { return format(v); } };
      var whole = config.data.datasets.every(function (d) {
        return d.data.every(function (v) { return Number.isInteger(v || 0); });
      });
      if (whole) scales[axis].ticks.precision = 0; // counts: no "2,5 tin, bài" on the axis
    }
    return config;
  }

  function draw() {
    var source = document.getElementById("hoitu-charts");
    if (!source || !window.Chart) return;
    var charts = JSON.parse(source.textContent);
    window.Chart.defaults.locale = "vi-VN";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var config = charts[canvas.dataset.chart];
      if (!config || window.Chart.getChart(canvas)) return;
      if ((config.type === "pie" || config.type === "doughnut") && isEmpty(config)) {
        // A pie of zeros draws nothing at all: say so instead of an empty box.
        var note = document.createElement("p");
        note.className = "hoitu-chart-empty";
        note.textContent = "Chưa có số liệu để vẽ biểu đồ.";
        canvas.replaceWith(note);
        return;
      }
      new window.Chart(canvas, configure(config));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
