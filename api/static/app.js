// curagraph dashboards: each page embeds its JSON twin (#page-data) and draws it with ECharts.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent || "{}");
  window.curagraphData = data;
  window.curagraphCharts = {};

  function chart(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    const c = echarts.init(el, null, { renderer: "canvas" });
    window.addEventListener("resize", () => c.resize());
    window.curagraphCharts[id] = c;
    return c;
  }

  function heatmap(d) {
    const c = chart("heatmap");
    if (!c) return;
    const max = Math.max(1, ...d.cells.map((x) => x[2]));
    c.setOption({
      animation: false,
      tooltip: {
        formatter: (p) => {
          const [x, y, deficit, have, want] = p.data;
          return `${d.rows[y]} × ${d.cols[x]}<br>have ${have}, want ${want}<br><b>deficit ${deficit}</b>`;
        },
      },
      grid: { left: 190, right: 30, top: 20, bottom: 150 },
      xAxis: { type: "category", data: d.cols, axisLabel: { rotate: 40, interval: 0 } },
      // the chart's height grows with its rows (the page sets it), so every label has its line
      yAxis: { type: "category", data: d.rows, inverse: true, axisLabel: { interval: 0, fontSize: 11, width: 180, overflow: "truncate" } },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#f0fdf4", "#fde68a", "#f97316", "#b91c1c"] }, text: ["deficit", "0"] },
      series: [{ name: "deficit", type: "heatmap", data: d.cells, label: { show: true, formatter: (p) => p.data[3] },
                 emphasis: { itemStyle: { borderColor: "#1d2330", borderWidth: 1 } } }],
    });
    c.on("click", (p) => {
      const params = new URLSearchParams(d.drill_params || {});
      params.set(d.row_dimension, d.rows[p.data[1]]);
      params.set(d.col_dimension, d.cols[p.data[0]]);
      window.location.href = d.drill_url + "?" + params.toString();
    });
  }

  function provenance(d) {
    const s = chart("flow");
    if (s) {
      s.setOption({
        animation: false,
        tooltip: { trigger: "item" },
        series: [{ type: "sankey", data: d.flow.nodes, links: d.flow.links, emphasis: { focus: "adjacency" },
                   nodeGap: 6, label: { fontSize: 11 }, lineStyle: { color: "gradient", curveness: 0.5 } }],
      });
    }
    const g = chart("generators");
    if (g) {
      g.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        grid: { left: 140, right: 30, top: 20, bottom: 40 },
        xAxis: { type: "value", name: "examples" },
        yAxis: { type: "category", data: d.generators.map((x) => `${x.model} (${x.role})`) },
        series: [{ type: "bar", data: d.generators.map((x) => x.examples), itemStyle: { color: "#7c3aed" } }],
      });
    }
  }

  function quality(d) {
    const c = chart("issues");
    if (!c) return;
    const severities = ["error", "warning", "info"];
    const colors = { error: "#b91c1c", warning: "#f59e0b", info: "#60a5fa" };
    c.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: severities },
      grid: { left: 60, right: 30, top: 40, bottom: 40 },
      xAxis: { type: "category", data: d.factors },
      yAxis: { type: "value", name: "issues" },
      series: severities.map((sev) => ({ name: sev, type: "bar", stack: "all", itemStyle: { color: colors[sev] },
                                          data: d.factors.map((f) => (d.by_factor[f] || {})[sev] || 0) })),
    });
  }

  const draw = { coverage: heatmap, provenance: provenance, quality: quality }[data.page];
  if (draw) draw(data);
})();
