// View: the queue as a table with the controls that apply.
exports.render = (queue) => ({
  type: 'section',
  title: 'Tasks',
  children: [
    { type: 'table', columns: ['job', 'name', 'state', 'progress'], rows: queue.jobs.map((j) => [String(j.id), j.name, j.state, j.done + ' / ' + j.lines.length]) },
    { type: 'controls', controls: [{ op: 'start', label: 'Start next job', payload: {} }, { op: 'pause', label: 'Pause', payload: {} }, { op: 'resume', label: 'Resume', payload: {} }, { op: 'cancel', label: 'Cancel', payload: {} }] },
  ],
});
