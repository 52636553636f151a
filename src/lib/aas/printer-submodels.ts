// The Digital Nameplate (IDTA 02006-3-0) and Technical Data (IDTA 02003-2-0) submodels of a printer twin, filled
// from what its granules state: the formalization granule's resource.json (manufacturer, model, process, materials,
// interfaces), the mechanical granule's spec.json (Table 2: build volume, speeds, layer resolution, nozzles) and the
// automation granule's feature tags. Nothing is invented: a field the granules do not state is left out.
import * as aas from '@aas-core-works/aas-core3.0-typescript';
import type { RuntimeGranule } from '../twin/index';
import { collection, list, mlp, property, range, stringList, type Element } from './elements';
import { globalRef, IDTA, OWN_CONCEPTS as C, type OwnConcept } from './semantics';

const T = aas.types;

export interface PrinterFacts {
  id?: string;
  manufacturer?: string;
  model?: string;
  type?: string;
  process?: string;
  materials?: string[];
  protocol?: string;
  baudRate?: number;
  kinematics?: string;
  buildVolume?: { x: number; y: number; z: number };
  printSpeed?: { min: number; max: number };
  layerHeight?: { min: number; max: number };
  nozzleDiameter?: { min: number; max: number };
  extruders?: number;
  features: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= 1000 ? v : undefined);
const minMax = (v: unknown): { min: number; max: number } | undefined => {
  if (!isObj(v)) return undefined;
  const min = num(v.min);
  const max = num(v.max);
  return min !== undefined && max !== undefined ? { min, max } : undefined;
};

function json(g: RuntimeGranule | undefined, path: string): Record<string, unknown> | undefined {
  const bytes = g?.files.get(path);
  if (!bytes) return undefined;
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

// Tags every printer granule carries; what remains names the printer's additional features.
const GENERIC_TAGS = new Set(['automation', 'fdm', '3d-printer', 'printer']);

export function printerFacts(granules: RuntimeGranule[]): PrinterFacts {
  const by = (c: string) => granules.find((g) => g.context === c);
  const resource = json(by('formalization'), 'resource.json') ?? {};
  const spec = json(by('mechanical'), 'spec.json') ?? {};
  const interfaces = isObj(resource.interfaces) ? resource.interfaces : {};
  const serial = isObj(interfaces.serial) ? interfaces.serial : {};
  const volume = isObj(spec.buildVolume) ? spec.buildVolume : {};
  const x = num(volume.x),
    y = num(volume.y),
    z = num(volume.z);
  const materials = Array.isArray(resource.materials) ? resource.materials.map(text).filter((m): m is string => m !== undefined) : [];
  const facts: PrinterFacts = { features: (by('automation')?.manifest.tags ?? []).filter((t) => !GENERIC_TAGS.has(t)) };
  const set = <K extends keyof PrinterFacts>(k: K, v: PrinterFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  set('id', text(resource.id));
  set('manufacturer', text(resource.manufacturer));
  set('model', text(resource.model));
  set('type', text(resource.type));
  set('process', text(resource.process));
  if (materials.length > 0) facts.materials = materials;
  set('protocol', text(interfaces.protocol));
  set('baudRate', num(serial.baudRate));
  set('kinematics', text(spec.kinematics));
  if (x !== undefined && y !== undefined && z !== undefined) facts.buildVolume = { x, y, z };
  set('printSpeed', minMax(spec.printSpeed));
  set('layerHeight', minMax(spec.layerHeight));
  set('nozzleDiameter', minMax(spec.nozzleDiameter));
  set('extruders', num(spec.extruders));
  return facts;
}

function submodel(id: string, idShort: string, semanticId: string, templateId: string, version: string, elements: Element[]): aas.types.Submodel {
  const sm = new T.Submodel(id);
  sm.idShort = idShort;
  sm.kind = T.ModellingKind.Instance;
  sm.semanticId = globalRef(semanticId);
  const admin = new T.AdministrativeInformation();
  admin.version = version;
  admin.revision = '0';
  admin.templateId = templateId;
  sm.administration = admin;
  sm.submodelElements = elements.length > 0 ? elements : null;
  return sm;
}

const designation = (f: PrinterFacts, twinName: string) => [twinName, f.type, f.process ? `(${f.process})` : undefined].filter(Boolean).join(' ');

/** IDTA 02006-3-0 Digital Nameplate, or undefined when the twin states no manufacturer. */
export function nameplateSubmodel(id: string, f: PrinterFacts, twinName: string, productUri: string): aas.types.Submodel | undefined {
  if (!f.manufacturer) return undefined;
  const N = IDTA.nameplate;
  const els: Element[] = [
    property('URIOfTheProduct', productUri, N.uriOfTheProduct, T.DataTypeDefXsd.AnyUri),
    mlp('ManufacturerName', f.manufacturer, N.manufacturerName),
    mlp('ManufacturerProductDesignation', designation(f, twinName), N.manufacturerProductDesignation),
  ];
  if (f.type) els.push(mlp('ManufacturerProductFamily', f.type, N.manufacturerProductFamily));
  if (f.model) els.push(property('ManufacturerProductType', f.model, N.manufacturerProductType));
  return submodel(id, 'Nameplate', N.submodel, N.template, '3', els);
}

function own(idShort: string, c: OwnConcept, value: string, type = T.DataTypeDefXsd.String) {
  return property(idShort, value, c.id, type);
}

/** IDTA 02003-2-0 Technical Data with Table 2's figures in one technical property area, or undefined if none are stated. */
export function technicalDataSubmodel(id: string, f: PrinterFacts, twinName: string): aas.types.Submodel | undefined {
  const D = IDTA.technicalData;
  const props: Element[] = [];
  if (f.buildVolume) {
    const v = f.buildVolume;
    props.push(
      collection(
        'BuildVolume',
        [
          own('X', C.buildVolume, String(v.x), T.DataTypeDefXsd.Double),
          own('Y', C.buildVolume, String(v.y), T.DataTypeDefXsd.Double),
          own('Z', C.buildVolume, String(v.z), T.DataTypeDefXsd.Double),
        ],
        C.buildVolume.id,
      ),
    );
  }
  if (f.printSpeed) props.push(range('PrintSpeed', f.printSpeed.min, f.printSpeed.max, C.printSpeed.id));
  if (f.layerHeight) props.push(range('LayerResolution', f.layerHeight.min, f.layerHeight.max, C.layerResolution.id));
  if (f.nozzleDiameter) props.push(range('NozzleDiameter', f.nozzleDiameter.min, f.nozzleDiameter.max, C.nozzleDiameter.id));
  if (f.extruders !== undefined) props.push(own('Extruders', C.extruders, String(f.extruders), T.DataTypeDefXsd.Int));
  if (f.kinematics) props.push(own('Kinematics', C.kinematics, f.kinematics));
  if (f.process) props.push(own('Process', C.process, f.process));
  if (f.materials) props.push(stringList('Materials', f.materials, C.materials.id));
  if (f.features.length > 0) props.push(stringList('AdditionalFeatures', f.features, C.features.id));
  if (f.protocol) props.push(own('Protocol', C.protocol, f.protocol));
  if (f.baudRate !== undefined) props.push(own('SerialBaudRate', C.baudRate, String(f.baudRate), T.DataTypeDefXsd.Int));
  if (props.length === 0) return undefined;
  const general: Element[] = [];
  if (f.manufacturer) general.push(property('ManufacturerName', f.manufacturer, D.manufacturerName));
  general.push(mlp('ManufacturerProductDesignation', designation(f, twinName), D.manufacturerProductDesignation));
  const area = collection(null, props, D.technicalPropertyArea);
  return submodel(id, 'TechnicalData', D.submodel, D.template, '2', [
    collection('GeneralInformation', general, D.generalInformation),
    list('TechnicalPropertyAreas', T.AasSubmodelElements.SubmodelElementCollection, [area], D.technicalPropertyAreas),
  ]);
}
