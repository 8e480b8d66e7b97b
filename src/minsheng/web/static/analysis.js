// Charts of a what-if run (ECharts from npm, served from /static/vendor). The data comes in a
// JSON block, so the page needs no inline script (CSP).
(function () {
  var el = document.getElementById("chart-data");
  if (!el || typeof echarts === "undefined") return;
  var d = JSON.parse(el.textContent);
  function bar(id, title, categories, series, horizontal) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = echarts.init(node, null, { renderer: "svg" });
    var cat = { type: "category", data: categories, axisLabel: { interval: 0, width: 90, overflow: "break" } };
    var val = { type: "value" };
    chart.setOption({
      title: { text: title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { top: 26 },
      grid: { left: 8, right: 8, top: 64, bottom: 8, containLabel: true },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: series,
      animation: false,
    });
    window.addEventListener("resize", function () { chart.resize(); });
    node.dataset.rendered = "1";
  }
  bar("chart-programmes", document.getElementById("chart-programmes").getAttribute("aria-label"), d.programmes, [
    { name: d.labels.baseline, type: "bar", data: d.baseline },
    { name: d.labels.reform, type: "bar", data: d.reform },
  ], true);
  bar("chart-prefectures", document.getElementById("chart-prefectures").getAttribute("aria-label"), d.prefectures, [
    { name: d.labels.change, type: "bar", data: d.prefecture_change },
  ], false);
  bar("chart-deciles", document.getElementById("chart-deciles").getAttribute("aria-label"), d.deciles, [
    { name: d.labels.change, type: "bar", data: d.decile_change },
  ], false);
})();
