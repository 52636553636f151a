// Controller: estimates print time and filament for G-code using the mechanical context's limits, and checks the part
// fits the machine.
const model = require('./model.js');
const view = require('./view.js');
let last = null;
exports.operations = {
  // payload: { gcode } → { seconds, filamentMm, filamentGrams, moves, layers, size, fits }
  estimate: async (p) => {
    const spec = await twin.request('mechanical', 'spec');
    const e = model.estimate(p && p.gcode, spec);
    e.fits = await twin.request('mechanical', 'fits', { size: e.size });
    last = e;
    twin.emit('estimated', e);
    return e;
  },
  last: () => last,
  view: () => view.render(last),
};
