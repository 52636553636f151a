// Controller: queues jobs and streams the running one line by line through the communication context, publishing
// progress. Pausing stops between lines; cancelling also switches the heaters off.
const model = require('./model.js');
const view = require('./view.js');
const queue = model.newQueue();
let paused = false;
let wake = null;
const progress = (job) => twin.emit('progress', { job: job.name, id: job.id, done: job.done, total: job.lines.length, percent: job.lines.length ? (100 * job.done) / job.lines.length : 100 });
async function runJob(job) {
  queue.running = job;
  job.state = 'printing';
  try {
    while (job.done < job.lines.length) {
      if (job.state === 'cancelled') break;
      if (paused) { job.state = 'paused'; await new Promise((r) => { wake = r; }); if (job.state === 'cancelled') break; job.state = 'printing'; }
      await twin.request('communication', 'send', { command: job.lines[job.done] });
      job.done++;
      if (job.done % 10 === 0 || job.done === job.lines.length) progress(job);
    }
    if (job.state === 'cancelled') await twin.request('communication', 'send', { command: 'M104 S0' }).catch(() => null);
    else job.state = 'done';
  } catch (e) {
    job.state = 'failed';
    job.error = e.message;
  }
  queue.running = null;
  twin.emit('finished', model.summary(job));
}
exports.operations = {
  // payload: { name, gcode } → the queued job
  submit: (p) => {
    const lines = model.parse(p && p.gcode);
    if (lines.length === 0) throw new Error('the G-code has no commands');
    const job = { id: queue.nextId++, name: String((p && p.name) || 'job'), lines: lines, done: 0, state: 'queued' };
    queue.jobs.push(job);
    return model.summary(job);
  },
  queue: () => queue.jobs.map(model.summary),
  // Starts the next queued job; resolves once it has started (listen to task:progress / task:finished).
  start: () => {
    if (queue.running) throw new Error('job ' + queue.running.id + ' is already running');
    const job = queue.jobs.find((j) => j.state === 'queued');
    if (!job) throw new Error('no job is queued');
    runJob(job);
    return model.summary(job);
  },
  pause: () => { paused = true; return { paused: true }; },
  resume: () => { paused = false; if (wake) { const w = wake; wake = null; w(); } return { paused: false }; },
  cancel: () => {
    const job = queue.running;
    if (!job) throw new Error('no job is running');
    job.state = 'cancelled';
    if (wake) { const w = wake; wake = null; w(); }
    return model.summary(job);
  },
  view: () => view.render(queue),
};
