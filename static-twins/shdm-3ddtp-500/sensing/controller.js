// Controller: polls the printer through the communication context and publishes readings as events.
const model = require('./model.js');
const view = require('./view.js');
const state = model.empty();
exports.start = () => {
  twin.on('task:progress', (p) => { state.progress = p; });
};
exports.operations = {
  poll: async () => {
    const temps = await twin.request('communication', 'send', { command: 'M105' });
    const pos = await twin.request('communication', 'send', { command: 'M114' });
    // Marlin answers M105 on its "ok" line, which the link consumes: take the link's latest report, and the reply
    // lines when a firmware prints them separately.
    const telemetry = await twin.request('communication', 'telemetry');
    if (telemetry && telemetry.temperatures) state.temperatures = { hotends: telemetry.temperatures.hotends, bed: telemetry.temperatures.bed || null };
    if (telemetry && telemetry.position) state.position = telemetry.position;
    for (const line of temps) { const r = model.parseTemperatures(line); if (r) state.temperatures = r; }
    for (const line of pos) { const p = model.parsePosition(line); if (p) state.position = p; }
    state.at = Date.now();
    twin.emit('reading', state);
    return state;
  },
  state: () => state,
  view: () => view.render(state),
};
