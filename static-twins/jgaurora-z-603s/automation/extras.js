// The JGAurora Z-603S's additional controls (Table 2): LED light (M150), heat bed (M140), fan speed (M106/M107),
// printing speed (M220). Each returns the G-code for a validated request.
exports.features = ['led', 'heatedBed', 'fan', 'printSpeed'];
exports.operations = {
  led: (p, model) => {
    const c = ['r', 'g', 'b'].map((k) => model.num(p && p[k] !== undefined ? p[k] : 0, 'LED ' + k.toUpperCase(), 0, 255));
    return ['M150 R' + c[0] + ' U' + c[1] + ' B' + c[2]];
  },
  setBed: (p, model) => ['M140 S' + model.num(p && p.target, 'bed target', 0, model.limits().bedMax)],
  fan: (p, model) => {
    const percent = model.num(p && p.percent, 'fan speed', 0, 100);
    return percent === 0 ? ['M107'] : ['M106 S' + Math.round((percent * 255) / 100)];
  },
  printSpeed: (p, model) => ['M220 S' + model.num(p && p.percent, 'print speed', 10, 300)],
};
exports.cooldown = () => ['M140 S0', 'M107'];
exports.controls = (l) => [
  { op: 'led', label: 'LED', payload: { r: 255, g: 255, b: 255 } },
  { op: 'setBed', label: 'Heat bed', payload: { target: 60 }, field: { name: 'target', min: 0, max: l.bedMax, unit: '°C' } },
  { op: 'fan', label: 'Fan', payload: { percent: 100 }, field: { name: 'percent', min: 0, max: 100, unit: '%' } },
  { op: 'printSpeed', label: 'Print speed', payload: { percent: 100 }, field: { name: 'percent', min: 10, max: 300, unit: '%' } },
];
