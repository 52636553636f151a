// Model: the job queue. A job keeps its G-code as command lines (comments and blank lines removed).
exports.parse = (gcode) =>
  String(gcode)
    .split(/\r?\n/)
    .map((l) => l.replace(/;.*$/, '').trim())
    .filter((l) => l.length > 0);
exports.newQueue = () => ({ jobs: [], nextId: 1, running: null });
exports.summary = (job) => ({ id: job.id, name: job.name, state: job.state, done: job.done, total: job.lines.length, error: job.error || null });
