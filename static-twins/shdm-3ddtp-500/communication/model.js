// Model: the serial link settings (from the granule's environment) and a short log of exchanges.
exports.settings = () => twin.environment.serial;
exports.protocol = () => twin.environment.protocol;
exports.newLog = () => ({ sent: 0, failed: 0, recent: [] });
exports.record = (log, command, lines, error) => {
  if (error) log.failed++;
  else log.sent++;
  log.recent.push({ command: command, reply: error ? 'error: ' + error : lines.join(' | ') });
  if (log.recent.length > 20) log.recent.shift();
};
