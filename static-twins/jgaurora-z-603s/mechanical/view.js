// View: the specification as a table.
const mm = (r, unit) => (r.min === r.max ? r.min + ' ' + unit : r.min + '–' + r.max + ' ' + unit);
exports.render = (spec) => ({
  type: 'section',
  title: 'Mechanical — ' + spec.printer,
  children: [
    {
      type: 'kv',
      items: [
        ['kinematics', spec.kinematics],
        ['build volume', spec.buildVolume.x + ' × ' + spec.buildVolume.y + ' × ' + spec.buildVolume.z + ' mm'],
        ['printing speed', mm(spec.printSpeed, 'mm/s')],
        ['layer resolution', mm(spec.layerHeight, 'mm')],
        ['nozzle diameter', mm(spec.nozzleDiameter, 'mm')],
        ['nozzles', String(spec.extruders)],
        ['max feed rate X/Y/Z/E', [spec.maxFeedrate.x, spec.maxFeedrate.y, spec.maxFeedrate.z, spec.maxFeedrate.e].join(' / ') + ' mm/s'],
        ['acceleration', spec.acceleration + ' mm/s²'],
      ],
    },
  ],
});
