// View: the latest estimate.
const hms = (s) => Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min ' + Math.round(s % 60) + ' s';
exports.render = (last) => ({
  type: 'section',
  title: 'Simulation',
  children: last
    ? [{ type: 'kv', items: [['print time', hms(last.seconds)], ['filament', last.filamentMm + ' mm (' + last.filamentGrams + ' g)'], ['layers', String(last.layers)], ['moves', String(last.moves)], ['part size', last.size.x + ' × ' + last.size.y + ' × ' + last.size.z + ' mm'], ['fits the machine', last.fits.fits ? 'yes' : 'no: ' + last.fits.reasons.join('; ')]] }]
    : [{ type: 'text', text: 'No estimate yet: ask the simulation context to estimate a G-code file.' }],
});
