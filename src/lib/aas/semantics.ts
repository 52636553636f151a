// Semantic identifiers. The IDTA ones are those the submodel templates specify (Digital Nameplate IDTA 02006-3-0,
// Technical Data IDTA 02003-2-0); twingrain's own concepts get URNs under urn:twingrain:aas:1: and a concept
// description in the environment, so an AAS viewer can show what each one means.
import * as aas from '@aas-core-works/aas-core3.0-typescript';

export const IDTA = {
  nameplate: {
    submodel: 'https://admin-shell.io/idta/nameplate/3/0/Nameplate',
    template: 'https://admin-shell.io/IDTA 02006-3-0',
    uriOfTheProduct: '0112/2///61987#ABN590#002',
    manufacturerName: '0112/2///61987#ABA565#009',
    manufacturerProductDesignation: '0112/2///61987#ABA567#009',
    addressInformation: 'https://admin-shell.io/zvei/nameplate/1/0/ContactInformations/AddressInformation',
    manufacturerProductFamily: '0112/2///61987#ABP464#002',
    manufacturerProductType: '0112/2///61987#ABA300#008',
  },
  technicalData: {
    submodel: '0173-1#01-AHX837#002',
    template: 'https://admin-shell.io/idta-02003-2-0',
    generalInformation: '0173-1#02-ABK161#002/0173-1#01-AHX838#002',
    manufacturerName: '0173-1#02-AAO677#004',
    manufacturerProductDesignation: '0173-1#02-AAW338#003',
    technicalPropertyAreas: '0173-1#02-ABK163#002',
    technicalPropertyArea: '0173-1#02-ABL358#002/0173-1#01-AHX773#002',
  },
  iec61360: 'https://admin-shell.io/DataSpecificationTemplates/DataSpecificationIec61360/3/0',
} as const;

const OWN = 'urn:twingrain:aas:1:';
export const OWN_PREFIX = OWN;

/** twingrain's own concepts: id, English name, definition and (for quantities) unit. */
export const OWN_CONCEPTS = {
  granuleContext: {
    id: `${OWN}GranuleContext`,
    name: 'Bounded context',
    definition:
      "One bounded context of an MVC-DDD digital twin and the granule that implements it: metadata, the model, view and controller files, and the granule's identity.",
  },
  domain: { id: `${OWN}Domain`, name: 'Domain', definition: 'The DDD domain of the twin that holds this bounded context (ontology, enabling, business…).' },
  context: { id: `${OWN}Context`, name: 'Bounded context name', definition: 'The name of the bounded context, unique in its twin.' },
  granuleName: { id: `${OWN}GranuleName`, name: 'Granule name', definition: "The granule's name, e.g. shdm-3ddtp-500/appearance." },
  granuleVersion: { id: `${OWN}GranuleVersion`, name: 'Granule version', definition: "The granule's semantic version." },
  alpha: {
    id: `${OWN}Alpha`,
    name: 'Granule ID (alpha)',
    definition:
      "The granule's content hash α: SHA-256 of its canonical archive with the top three bits cleared, as 0x and 64 hex digits. Equal α means equal content.",
  },
  manifestCid: { id: `${OWN}ManifestCid`, name: 'Manifest CID', definition: "CIDv1 (raw, sha2-256) of the granule's canonical manifest (granule.json)." },
  packageFolder: {
    id: `${OWN}PackageFolder`,
    name: 'Package folder',
    definition: "The folder of this AASX package that holds the granule's files; each file's path in the granule is its path below this folder.",
  },
  mvcFiles: {
    id: `${OWN}MvcFiles`,
    name: 'MVC files',
    definition: 'Files of the granule that are MVC elements of the bounded context (models, views or controllers).',
  },
  buildVolume: { id: `${OWN}BuildVolume`, name: 'Build volume', definition: 'Largest printable extent along the X, Y and Z axes.', unit: 'mm' },
  printSpeed: { id: `${OWN}PrintSpeed`, name: 'Printing speed', definition: 'Range of print head speeds while printing.', unit: 'mm/s' },
  layerResolution: { id: `${OWN}LayerResolution`, name: 'Layer resolution', definition: 'Range of layer heights.', unit: 'mm' },
  nozzleDiameter: { id: `${OWN}NozzleDiameter`, name: 'Nozzle diameter', definition: 'Range of nozzle diameters.', unit: 'mm' },
  extruders: { id: `${OWN}Extruders`, name: 'Extruders', definition: 'Number of extruders (nozzles that print at once).' },
  kinematics: { id: `${OWN}Kinematics`, name: 'Kinematics', definition: 'How the axes are arranged, e.g. xy-gantry-z-bed or bed-slinger.' },
  process: { id: `${OWN}Process`, name: 'Process', definition: 'Additive manufacturing process.' },
  materials: { id: `${OWN}Materials`, name: 'Materials', definition: 'Materials the printer prints.' },
  features: {
    id: `${OWN}AdditionalFeatures`,
    name: 'Additional features',
    definition: "Features beyond a generic FDM printer (Table 2 of the BCFG paper), as the twin's automation granule tags them.",
  },
  protocol: { id: `${OWN}Protocol`, name: 'Command protocol', definition: "The printer's host command protocol, e.g. marlin." },
  baudRate: { id: `${OWN}SerialBaudRate`, name: 'Serial baud rate', definition: "Baud rate of the printer's serial link.", unit: 'Bd' },
} as const;

export type OwnConcept = (typeof OWN_CONCEPTS)[keyof typeof OWN_CONCEPTS];

export function globalRef(value: string): aas.types.Reference {
  return new aas.types.Reference(aas.types.ReferenceTypes.ExternalReference, [new aas.types.Key(aas.types.KeyTypes.GlobalReference, value)]);
}

export function submodelRef(id: string): aas.types.Reference {
  return new aas.types.Reference(aas.types.ReferenceTypes.ModelReference, [new aas.types.Key(aas.types.KeyTypes.Submodel, id)]);
}

/** The first key's value of a semantic id, or undefined. */
export function semanticOf(x: { semanticId: aas.types.Reference | null }): string | undefined {
  return x.semanticId?.keys[0]?.value;
}

export function conceptDescription(c: OwnConcept): aas.types.ConceptDescription {
  const content = new aas.types.DataSpecificationIec61360([new aas.types.LangStringPreferredNameTypeIec61360('en', c.name)]);
  content.definition = [new aas.types.LangStringDefinitionTypeIec61360('en', c.definition)];
  if ('unit' in c) content.unit = c.unit;
  const cd = new aas.types.ConceptDescription(c.id);
  cd.idShort = c.id.slice(OWN.length);
  cd.embeddedDataSpecifications = [new aas.types.EmbeddedDataSpecification(globalRef(IDTA.iec61360), content)];
  return cd;
}
