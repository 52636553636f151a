// Controller: turns control requests into G-code sent through the communication context. A derived printer's
// granule adds an extras.js controller (LED, bed, fan, speed, tools…) whose operations are merged in.
const model = require('./model.js');
const view = require('./view.js');
let extras = { operations: {}, controls: () => [], features: [] };
try { extras = require('./extras.js'); } catch (e) { /* the generic FDM printer has no extra controls */ }
let last = null;
const run = async (commands) => {
  const replies = [];
  for (const command of commands) replies.push(await twin.request('communication', 'send', { command: command }));
  last = commands.join('; ');
  twin.emit('commanded', { commands: commands });
  return { commands: commands, replies: replies };
};
const base = {
  home: (p) => run(model.home(p && p.axes)),
  jog: (p) => run(model.jog(p)),
  setHotend: (p) => run(model.hotend(p)),
  cooldown: () => run(model.cooldown().concat(extras.cooldown ? extras.cooldown() : [])),
};
const operations = Object.assign({}, base);
Object.keys(extras.operations).forEach((op) => { operations[op] = (p) => run(extras.operations[op](p, model)); });
operations.capabilities = () => ({ controls: Object.keys(base).concat(Object.keys(extras.operations)), features: extras.features });
operations.view = () => view.render(view.controls(model.limits()).concat(extras.controls(model.limits())), last);
exports.operations = operations;
