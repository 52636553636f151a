// View: gauges for temperatures, the position and the progress of the running job.
const t = (r) => (r ? r.temperature.toFixed(1) + ' °C → ' + r.target.toFixed(0) + ' °C' : '—');
exports.render = (s) => {
  const items = [];
  if (s.temperatures) {
    s.temperatures.hotends.forEach((h, i) => items.push(['hotend ' + i, t(h)]));
    items.push(['bed', t(s.temperatures.bed)]);
  }
  items.push(['position', s.position ? 'X' + s.position.x + ' Y' + s.position.y + ' Z' + s.position.z : '—']);
  items.push(['progress', s.progress ? s.progress.percent.toFixed(1) + ' % of ' + s.progress.job : 'idle']);
  return { type: 'section', title: 'Sensing', children: [{ type: 'kv', items: items }, { type: 'controls', controls: [{ op: 'poll', label: 'Read sensors' }] }] };
};
