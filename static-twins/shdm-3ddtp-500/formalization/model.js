// Model: the resource's identity (resource.json) and the mapping of its description to an Asset Administration
// Shell (AAS) submodel — IEC 63278 / IDTA "Part 1" JSON serialisation with Property elements.
const resource = require('./resource.json');
exports.resource = resource;
const xs = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? 'xs:int' : 'xs:double') : typeof v === 'boolean' ? 'xs:boolean' : 'xs:string');
const prop = (idShort, value, unit) => {
  const p = { idShort: idShort, modelType: 'Property', valueType: xs(value), value: String(value) };
  if (unit) p.description = [{ language: 'en', text: 'unit: ' + unit }];
  return p;
};
const range = (idShort, r, unit) => ({ idShort: idShort, modelType: 'Range', valueType: 'xs:double', min: String(r.min), max: String(r.max), description: [{ language: 'en', text: 'unit: ' + unit }] });
exports.describe = (mech, automation) => ({
  id: resource.id,
  kind: 'manufacturing-resource',
  type: resource.type,
  manufacturer: resource.manufacturer,
  model: resource.model,
  process: resource.process,
  materials: resource.materials,
  interfaces: resource.interfaces,
  buildVolume: mech.buildVolume,
  printSpeed: mech.printSpeed,
  layerHeight: mech.layerHeight,
  nozzleDiameter: mech.nozzleDiameter,
  extruders: mech.extruders,
  controls: automation ? automation.controls : [],
  // The operating envelope this granule states (environment.envelope); the host holds every printer command to it.
  envelope: twin.environment.envelope || null,
});
exports.submodel = (d) => ({
  idShort: 'TechnicalData',
  id: d.id + '/submodels/technical-data',
  kind: 'Instance',
  modelType: 'Submodel',
  semanticId: { type: 'ExternalReference', keys: [{ type: 'GlobalReference', value: 'https://admin-shell.io/ZVEI/TechnicalData/Submodel/1/2' }] },
  submodelElements: [
    {
      idShort: 'GeneralInformation',
      modelType: 'SubmodelElementCollection',
      value: [prop('ManufacturerName', d.manufacturer), prop('ManufacturerProductDesignation', d.model), prop('ResourceType', d.type), prop('Process', d.process)],
    },
    {
      idShort: 'TechnicalProperties',
      modelType: 'SubmodelElementCollection',
      value: [
        prop('BuildVolumeX', d.buildVolume.x, 'mm'),
        prop('BuildVolumeY', d.buildVolume.y, 'mm'),
        prop('BuildVolumeZ', d.buildVolume.z, 'mm'),
        range('PrintingSpeed', d.printSpeed, 'mm/s'),
        range('LayerResolution', d.layerHeight, 'mm'),
        range('NozzleDiameter', d.nozzleDiameter, 'mm'),
        prop('NumberOfExtruders', d.extruders),
        prop('Materials', d.materials.join(', ')),
        prop('Controls', d.controls.join(', ')),
        prop('SerialBaudRate', d.interfaces.serial.baudRate),
        prop('FirmwareProtocol', d.interfaces.protocol),
      ].concat(d.envelope ? [prop('MaxHotendTemperature', d.envelope.hotendMax, '°C'), prop('MaxBedTemperature', d.envelope.bedMax, '°C')] : []),
    },
  ],
});
