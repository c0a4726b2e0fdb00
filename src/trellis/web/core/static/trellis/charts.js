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
  var control = data.control;
  if (control) {
    var flat = function (v) { return data.periods.map(function () { return v; }); };
    traces.push({ x: data.periods, y: flat(control.ucl), name: "Control limits", mode: "lines",
      line: { color: "#545d68", dash: "dashdot", width: 1 }, legendgroup: "control" });
    traces.push({ x: data.periods, y: flat(control.lcl), name: "Control limits", mode: "lines",
      line: { color: "#545d68", dash: "dashdot", width: 1 }, legendgroup: "control",
      showlegend: false });
    traces.push({ x: data.periods, y: flat(control.center), name: "Centre line", mode: "lines",
      line: { color: "#545d68", width: 1 } });
    [-2, -1, 1, 2].forEach(function (k, i) {
      traces.push({ x: data.periods, y: flat(control.center + k * control.sigma),
        name: "Zones (1σ, 2σ)", mode: "lines", legendgroup: "zones", showlegend: i === 0,
        line: { color: "#8c959f", dash: "dot", width: 1 }, hoverinfo: "skip" });
    });
    if (control.signals.length) {
      traces.push({ x: control.signals.map(function (s) { return s.period; }),
        y: control.signals.map(function (s) { return s.value; }), name: "Special-cause signal",
        mode: "markers", marker: { color: "#a40e26", size: 12, symbol: "circle-open",
        line: { width: 2 } }, text: control.signals.map(function (s) { return s.description; }) });
    }
  }
  var spec = data.capability;
  if (spec) {
    [spec.lower, spec.upper].forEach(function (limit, i) {
      if (limit === null) { return; }
      traces.push({ x: data.periods, y: data.periods.map(function () { return limit; }),
        name: "Specification limits", mode: "lines", legendgroup: "spec", showlegend: i === 0 ||
        spec.lower === null, line: { color: "#8250df", dash: "longdash", width: 1 } });
    });
  }
  Plotly.newPlot(holder, traces, {
    margin: { t: 10, r: 10, b: 40, l: 50 }, legend: { orientation: "h" },
    xaxis: { type: "category" }, hovermode: "x unified"
  }, { displaylogo: false, responsive: true });
})();
