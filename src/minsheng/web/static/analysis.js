// Charts of a what-if run (window.echarts: the bench's own build, vendor/charts.min.js). The
// data comes in a JSON block, so the page needs no inline script (CSP). The chart's title is
// the <figcaption> above it (never drawn over the legend); every value axis names its unit.
// Names (programmes, prefectures) go on the vertical axis, where long Tibetan names have room.
(function () {
  // a refused form: the first wrong cell and its message (three languages) in the middle of
  // the screen (without script, autofocus brings the cell itself into view)
  var bad = document.querySelector("#reform-form [aria-invalid=true], #save-form [aria-invalid=true]");
  if (bad) (bad.closest(".field") || bad).scrollIntoView({ block: "center" });
  var el = document.getElementById("chart-data");
  if (!el || typeof echarts === "undefined") return;
  var d = JSON.parse(el.textContent);
  var L = d.labels;
  // the page's own fonts, so that ECharts measures (and breaks) Tibetan labels as drawn
  var font = window.getComputedStyle(document.body).fontFamily;
  function num(list) { return list.map(function (v) { return Number(v); }); }
  function bar(id, categories, series, opts) {
    var node = document.getElementById(id);
    if (!node) return;
    var chart = echarts.init(node, null, { renderer: "svg" });
    var cat = { type: "category", data: categories, name: opts.catName || "",
      nameLocation: "middle", nameGap: 28,
      axisLabel: { interval: 0, width: opts.horizontal ? (opts.labelWidth || 170) : 70, overflow: "break",
        lineHeight: 14 } };
    var val = { type: "value", name: opts.unit, nameLocation: "end",
      nameTextStyle: { align: opts.horizontal ? "right" : "left" } };
    chart.setOption({
      textStyle: { fontFamily: font },
      tooltip: { trigger: "axis" },
      legend: series.length > 1 ? { top: 0 } : { show: false },
      grid: { left: 8, right: 24, top: series.length > 1 ? 48 : 32, bottom: opts.catName ? 28 : 8,
        containLabel: true },
      xAxis: opts.horizontal ? val : cat,
      yAxis: opts.horizontal ? cat : val,
      series: series,
      animation: false,
    });
    window.addEventListener("resize", function () { chart.resize(); });
    node.dataset.rendered = "1";
  }
  bar("chart-programmes", d.programmes,
    [{ name: L.change, type: "bar", data: num(d.programme_change) }],
    { horizontal: true, unit: L.percent, labelWidth: 260 });
  bar("chart-prefectures", d.prefectures,
    [{ name: L.change, type: "bar", data: num(d.prefecture_change) }],
    { horizontal: true, unit: L.wan });
  bar("chart-deciles", d.deciles,
    [{ name: L.change, type: "bar", data: num(d.decile_change) }],
    { unit: L.yuan, catName: L.decile });
  bar("chart-poverty", d.prefectures, [
    { name: L.baseline, type: "bar", data: num(d.poverty_baseline) },
    { name: L.reform, type: "bar", data: num(d.poverty_reform) },
  ], { horizontal: true, unit: L.persons });
})();
