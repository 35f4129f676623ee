// The dashboard's own client code: small, no dependency but uPlot, and only
// for the chart. Everything else on the page is server-rendered HTML that
// works with JavaScript disabled (the chart's data is also a table there).
// The script reads the chart's data from a JSON block (never from markup),
// draws it with uPlot, draws each rule's threshold as a dashed line, and on a
// click lists the entries around the minute clicked. It is served as a file
// (/assets/dashboard.js): the Content-Security-Policy allows no inline script.

export const DASHBOARD_SCRIPT = `'use strict';
(function () {
  var figure = document.getElementById('chart');
  var block = document.getElementById('chart-data');
  var target = document.getElementById('chart-canvas');
  if (!figure || !block || !target || typeof uPlot !== 'function') return;
  var data = JSON.parse(block.textContent);
  var COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];
  var times = [];
  for (var i = 0; i < data.minutes; i++) times.push(data.start / 1000 + i * 60);
  var rows = [times];
  var series = [{}];
  data.series.forEach(function (s, n) {
    rows.push(s.values);
    series.push({ label: s.label, stroke: COLOURS[n % COLOURS.length], width: 1.5, points: { show: false } });
  });
  var peak = 0;
  data.thresholds.forEach(function (t) { if (t.perMinute > peak) peak = t.perMinute; });
  var drawn = [];
  function drawThresholds(u) {
    var ctx = u.ctx;
    drawn = [];
    ctx.save();
    // canvas pixels (valToPos(..., true)), whatever transform uPlot left on the context
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.strokeStyle = '#b00020';
    ctx.fillStyle = '#b00020';
    ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    var left = u.valToPos(u.scales.x.min, 'x', true);
    var right = u.valToPos(u.scales.x.max, 'x', true);
    data.thresholds.forEach(function (t) {
      var y = Math.round(u.valToPos(t.perMinute, 'y', true));
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
      ctx.stroke();
      ctx.fillText(t.label, left + 4 * devicePixelRatio, y - 3 * devicePixelRatio);
      drawn.push({ rule: t.rule, y: y });
    });
    ctx.restore();
    figure.setAttribute('data-thresholds-drawn', JSON.stringify(drawn));
  }
  var width = Math.max(320, target.clientWidth || 900);
  var chart = new uPlot({
    width: width,
    height: 320,
    series: series,
    scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(max, peak * 1.15, 1)]; } } },
    axes: [{}, { label: 'entries per minute', size: 60 }],
    hooks: { draw: [drawThresholds] },
  }, rows, target);
  chart.over.addEventListener('click', function () {
    var idx = chart.cursor.idx;
    if (idx === null || idx === undefined) return;
    var params = new URLSearchParams(location.search);
    params.set('at', new Date(times[idx] * 1000).toISOString());
    location.href = '?' + params.toString() + '#entries';
  });
  var table = document.getElementById('chart-table');
  if (table) table.removeAttribute('open');
  figure.classList.add('drawn');
})();
`;

export const DASHBOARD_CSS = `body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5rem 3rem; color: #1b1b1b; background: #fafafa; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; border-bottom: 1px solid #ddd; padding: .5rem 0; }
header h1 { font-size: 1.3rem; margin: 0; }
nav a { margin-right: .8rem; }
section { margin-top: 1.5rem; }
h2 { font-size: 1.1rem; border-bottom: 1px solid #e5e5e5; padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #e1e1e1; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.35 ui-monospace, monospace; max-height: 12em; overflow: auto; }
.state-firing { color: #fff; background: #b00020; font-weight: 600; }
.state-pending { background: #ffe08a; }
.state-ok { background: #d9f2d9; }
.muted { color: #666; }
.notice { padding: .5rem .8rem; background: #fff4ce; border: 1px solid #e0c060; }
.error { padding: .5rem .8rem; background: #fde7e9; border: 1px solid #d08080; }
figure { margin: 0; background: #fff; border: 1px solid #e1e1e1; padding: .5rem; }
#chart-canvas { min-height: 20px; }
ul.thresholds { margin: .3rem 0; }
form.inline { display: inline; }
form.add-silence label { display: inline-block; margin: .2rem .8rem .2rem 0; }
details summary { cursor: pointer; margin: .4rem 0; }
`;
