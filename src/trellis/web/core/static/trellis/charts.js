// Draws a measure's actual against its target levels with Plotly (served locally).
(function () {
  "use strict";
  var holder = document.getElementById("chart");
  var source = document.getElementById("chart-data");
  if (!holder || !source || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data.periods) { return; }
  var traces = [];
  var has = function (xs) { return xs && xs.some(function (v) { return v !== null; }); };
  if (has(data.minimum)) {
    traces.push({ x: data.periods, y: data.minimum, name: "Minimum (red flag)", mode: "lines",
      line: { color: "#a40e26", dash: "dot" } });
  }
  traces.push({ x: data.periods, y: data.target, name: "Target", mode: "lines",
    line: { color: "#116329", dash: "dash" }, fill: has(data.minimum) ? "tonexty" : "none",
    fillcolor: "rgba(255,241,194,0.5)" });
  if (has(data.stretch)) {
    traces.push({ x: data.periods, y: data.stretch, name: "Stretch", mode: "lines",
      line: { color: "#0a4fb3", dash: "dot" } });
  }
  traces.push({ x: data.periods, y: data.value, name: "Actual", mode: "lines+markers",
    line: { color: "#1b1f24", width: 2 } });
  Plotly.newPlot(holder, traces, {
    margin: { t: 10, r: 10, b: 40, l: 50 }, legend: { orientation: "h" },
    xaxis: { type: "category" }, hovermode: "x unified"
  }, { displaylogo: false, responsive: true });
})();
