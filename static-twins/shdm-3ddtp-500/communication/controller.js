// Controller: the only context that talks to the printer. It uses the host's "printer" capability (the Marlin host
// protocol over Web Serial or the virtual printer), so the other contexts never see the transport.
const model = require('./model.js');
const view = require('./view.js');
const log = model.newLog();
const COMMAND = /^[GMTN][0-9]+(\s.*)?$|^M[0-9]+$/;
exports.operations = {
  // payload: { command: "G28" } → the firmware's reply lines for it
  send: async (payload) => {
    const command = String((payload && payload.command) || '').trim();
    if (!COMMAND.test(command) || command.length > 96) throw new Error('not a G-code command: ' + JSON.stringify(command.slice(0, 40)));
    try {
      const lines = await twin.request('printer', 'command', command);
      model.record(log, command, lines, null);
      twin.emit('exchange', { command: command, lines: lines });
      return lines;
    } catch (e) {
      model.record(log, command, [], e.message);
      throw e;
    }
  },
  // The printer's latest temperature and position reports ({ temperatures, position }), as the link received them.
  telemetry: () => twin.request('printer', 'telemetry'),
  status: async () => {
    let link = null;
    try { link = await twin.request('printer', 'status'); } catch (e) { link = { connected: false, error: e.message }; }
    return { link: link, sent: log.sent, failed: log.failed, settings: model.settings(), protocol: model.protocol() };
  },
  view: () => view.render(model.settings(), model.protocol(), log),
};
