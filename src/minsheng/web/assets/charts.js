// The analyst's charts: only the ECharts parts the bench uses (bar charts with a grid, a
// tooltip and a legend, drawn as SVG), bundled by esbuild at `make assets` into
// static/vendor/charts.min.js (never committed). analysis.js reads window.echarts.
import { init, use } from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);
window.echarts = { init: init };
