// View: the offer as the community sees it.
exports.render = (o) => ({
  type: 'section',
  title: 'Service — ' + o.printer,
  children: [
    { type: 'table', columns: ['service', 'description'], rows: o.services.map((s) => [s.name, s.description]) },
    { type: 'kv', items: [['availability', o.availability], ['layer height', o.constraints.layerHeight.min + '–' + o.constraints.layerHeight.max + ' mm'], ['controls', o.controls.join(', ')]] },
  ],
});
