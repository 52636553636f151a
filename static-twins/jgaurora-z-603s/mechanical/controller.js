// Controller: answers questions about what the mechanics allow.
const model = require('./model.js');
const view = require('./view.js');
exports.operations = {
  spec: () => model.spec,
  // Does a job fit this machine? payload: { size?: {x,y,z}, speed?, layerHeight?, nozzle?, extruders? }
  fits: (job) => {
    const s = model.spec;
    const reasons = [];
    job = job || {};
    if (job.size) ['x', 'y', 'z'].forEach((a) => { if (Number(job.size[a]) > s.buildVolume[a]) reasons.push(a.toUpperCase() + ' ' + job.size[a] + ' mm exceeds the ' + s.buildVolume[a] + ' mm build volume'); });
    if (job.speed !== undefined && Number(job.speed) > s.printSpeed.max) reasons.push('speed ' + job.speed + ' mm/s is above ' + s.printSpeed.max + ' mm/s');
    if (job.layerHeight !== undefined && !model.range(s.layerHeight, Number(job.layerHeight))) reasons.push('layer height ' + job.layerHeight + ' mm is outside ' + s.layerHeight.min + '–' + s.layerHeight.max + ' mm');
    if (job.nozzle !== undefined && !model.range(s.nozzleDiameter, Number(job.nozzle))) reasons.push('nozzle ' + job.nozzle + ' mm is outside ' + s.nozzleDiameter.min + '–' + s.nozzleDiameter.max + ' mm');
    if (job.extruders !== undefined && Number(job.extruders) > s.extruders) reasons.push(job.extruders + ' extruders needed, the machine has ' + s.extruders);
    return { fits: reasons.length === 0, reasons: reasons };
  },
  view: () => view.render(model.spec),
};
