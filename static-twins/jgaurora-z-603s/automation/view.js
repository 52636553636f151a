// View: the control panel; every control is an operation of this context.
exports.controls = (l) => [
  { op: 'home', label: 'Home all', payload: {} },
  { op: 'jog', label: 'Jog X +10', payload: { axis: 'X', distance: 10 } },
  { op: 'jog', label: 'Jog Y +10', payload: { axis: 'Y', distance: 10 } },
  { op: 'jog', label: 'Jog Z +1', payload: { axis: 'Z', distance: 1 } },
  { op: 'setHotend', label: 'Hotend', payload: { target: 200 }, field: { name: 'target', min: 0, max: l.hotendMax, unit: '°C' } },
  { op: 'cooldown', label: 'Cool down', payload: {} },
];
exports.render = (controls, last) => ({
  type: 'section',
  title: 'Automation',
  children: [{ type: 'controls', controls: controls }, { type: 'kv', items: [['last command', last || '—']] }],
});
