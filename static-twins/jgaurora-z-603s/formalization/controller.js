// Controller: composes the description from the mechanical and automation contexts (through their interfaces only).
const model = require('./model.js');
const view = require('./view.js');
const describe = async () => {
  const mech = await twin.request('mechanical', 'spec');
  let automation = null;
  try { automation = await twin.request('automation', 'capabilities'); } catch (e) { automation = null; }
  return model.describe(mech, automation);
};
exports.operations = {
  describe: describe,
  aas: async () => model.submodel(await describe()),
  view: async () => { const d = await describe(); return view.render(d, model.submodel(d)); },
};
