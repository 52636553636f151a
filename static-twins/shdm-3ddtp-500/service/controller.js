// Controller: publishes what the printer offers, and whether it is free, from the formalization and task contexts.
const model = require('./model.js');
const view = require('./view.js');
const offer = async () => {
  const d = await twin.request('formalization', 'describe');
  let availability = 'unknown';
  try {
    const jobs = await twin.request('task', 'queue');
    availability = jobs.some((j) => j.state === 'printing' || j.state === 'paused') ? 'busy' : 'available';
  } catch (e) { availability = 'unknown'; }
  return model.offer(d, availability);
};
exports.operations = {
  offer: offer,
  view: async () => view.render(await offer()),
};
