// View: link settings and the latest exchanges with the printer.
exports.render = (settings, protocol, log) => ({
  type: 'section',
  title: 'Communication',
  children: [
    { type: 'kv', items: [['protocol', protocol], ['baud rates', settings.baudRates.join(', ')], ['frame', settings.dataBits + settings.parity.charAt(0).toUpperCase() + settings.stopBits], ['flow control', settings.flowControl], ['commands sent', String(log.sent)], ['failed', String(log.failed)]] },
    { type: 'table', columns: ['command', 'reply'], rows: log.recent.map((r) => [r.command, r.reply]) },
  ],
});
