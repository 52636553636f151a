// The BlueMaker BM10-450's additional controls (Table 2): dual nozzles (tool select T0/T1 and per-tool hotend
// targets), heat bed (M140) and fan speed (M106/M107).
exports.features = ['dualNozzle', 'heatedBed', 'fan'];
exports.operations = {
  selectTool: (p, model) => ['T' + model.num(p && p.tool, 'tool', 0, 1)],
  setHotend: (p, model) => {
    const tool = model.num(p && p.tool !== undefined ? p.tool : 0, 'tool', 0, 1);
    return ['M104 T' + tool + ' S' + model.num(p && p.target, 'hotend target', 0, model.limits().hotendMax)];
  },
  setBed: (p, model) => ['M140 S' + model.num(p && p.target, 'bed target', 0, model.limits().bedMax)],
  fan: (p, model) => {
    const percent = model.num(p && p.percent, 'fan speed', 0, 100);
    return percent === 0 ? ['M107'] : ['M106 S' + Math.round((percent * 255) / 100)];
  },
};
exports.cooldown = () => ['M104 T1 S0', 'M140 S0', 'M107'];
exports.controls = (l) => [
  { op: 'selectTool', label: 'Nozzle', payload: { tool: 1 }, field: { name: 'tool', min: 0, max: 1, unit: '' } },
  { op: 'setHotend', label: 'Hotend T1', payload: { tool: 1, target: 200 }, field: { name: 'target', min: 0, max: l.hotendMax, unit: '°C' } },
  { op: 'setBed', label: 'Heat bed', payload: { target: 60 }, field: { name: 'target', min: 0, max: l.bedMax, unit: '°C' } },
  { op: 'fan', label: 'Fan', payload: { percent: 100 }, field: { name: 'percent', min: 0, max: 100, unit: '%' } },
];
