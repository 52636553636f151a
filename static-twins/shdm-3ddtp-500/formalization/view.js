// View: the machine-readable description and its AAS submodel.
exports.render = (d, submodel) => ({
  type: 'section',
  title: 'Formalization — ' + d.manufacturer + ' ' + d.model,
  children: [
    { type: 'kv', items: [['id', d.id], ['type', d.type], ['process', d.process], ['materials', d.materials.join(', ')], ['controls', d.controls.join(', ') || '—']] },
    { type: 'json', title: 'Asset Administration Shell submodel', value: submodel, download: 'aas-technical-data.json' },
  ],
});
