// Model: the offer this printer makes to the social manufacturing community, built from its description.
exports.offer = (d, availability) => ({
  resource: d.id,
  printer: d.manufacturer + ' ' + d.model,
  process: d.process,
  services: [
    { name: 'fdm-printing', description: 'FDM printing up to ' + d.buildVolume.x + ' × ' + d.buildVolume.y + ' × ' + d.buildVolume.z + ' mm', materials: d.materials },
    { name: 'print-time-estimate', description: 'Print time and filament estimate from G-code before printing' },
    { name: 'remote-monitoring', description: 'Temperatures, position and progress while printing' },
  ].concat(d.extruders > 1 ? [{ name: 'multi-material', description: d.extruders + ' nozzles: two materials or colours, soluble supports' }] : []),
  constraints: { layerHeight: d.layerHeight, nozzleDiameter: d.nozzleDiameter, printSpeed: d.printSpeed },
  controls: d.controls,
  availability: availability,
});
