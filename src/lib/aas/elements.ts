// Small constructors over the aas-core3.0 metamodel classes, so the submodel builders read as what they state.
import * as aas from '@aas-core-works/aas-core3.0-typescript';
import { globalRef } from './semantics';

const T = aas.types;
export type Element = aas.types.ISubmodelElement;

export function property(idShort: string | null, value: string, semanticId?: string, valueType = T.DataTypeDefXsd.String): aas.types.Property {
  const p = new T.Property(valueType);
  p.idShort = idShort;
  p.value = value;
  if (semanticId) p.semanticId = globalRef(semanticId);
  return p;
}

/** English text, cut to what the metamodel allows for a LangStringTextType (1023 characters). */
export function mlp(idShort: string, text: string, semanticId?: string): aas.types.MultiLanguageProperty {
  const p = new T.MultiLanguageProperty();
  p.idShort = idShort;
  p.value = [new T.LangStringTextType('en', text.slice(0, 1023))];
  if (semanticId) p.semanticId = globalRef(semanticId);
  return p;
}

export function range(idShort: string, min: number, max: number, semanticId: string): aas.types.Range {
  const r = new T.Range(T.DataTypeDefXsd.Double);
  r.idShort = idShort;
  r.min = String(min);
  r.max = String(max);
  r.semanticId = globalRef(semanticId);
  return r;
}

export function collection(idShort: string | null, value: Element[], semanticId?: string): aas.types.SubmodelElementCollection {
  const c = new T.SubmodelElementCollection();
  c.idShort = idShort;
  c.value = value.length > 0 ? value : null;
  if (semanticId) c.semanticId = globalRef(semanticId);
  return c;
}

export function list(
  idShort: string,
  type: aas.types.AasSubmodelElements,
  value: Element[],
  semanticId?: string,
  valueType?: aas.types.DataTypeDefXsd,
): aas.types.SubmodelElementList {
  const l = new T.SubmodelElementList(type);
  l.idShort = idShort;
  l.value = value.length > 0 ? value : null;
  if (valueType !== undefined) l.valueTypeListElement = valueType;
  if (semanticId) l.semanticId = globalRef(semanticId);
  return l;
}

export function stringList(idShort: string, values: string[], semanticId?: string): aas.types.SubmodelElementList {
  return list(
    idShort,
    T.AasSubmodelElements.Property,
    values.map((v) => property(null, v)),
    semanticId,
    T.DataTypeDefXsd.String,
  );
}

export function file(idShort: string | null, partName: string, contentType: string): aas.types.File {
  const f = new T.File(contentType);
  f.idShort = idShort;
  f.value = partName;
  return f;
}

export function referenceElement(idShort: string, target: string, semanticId?: string): aas.types.ReferenceElement {
  const r = new T.ReferenceElement();
  r.idShort = idShort;
  r.value = globalRef(target);
  if (semanticId) r.semanticId = globalRef(semanticId);
  return r;
}

/** An idShort ([a-zA-Z][a-zA-Z0-9_]*) made from any text. */
export function idShortOf(text: string, prefix: string): string {
  const s = text.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 120);
  return /^[A-Za-z]/.test(s) ? s : `${prefix}_${s}`;
}

/** Content type of a granule file by its extension (what the AAS File element and the package declare). */
export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const known: Record<string, string> = {
    js: 'text/javascript',
    mjs: 'text/javascript',
    json: 'application/json',
    txt: 'text/plain',
    md: 'text/markdown',
    svg: 'image/svg+xml',
    png: 'image/png',
    stl: 'model/stl',
    gcode: 'text/x.gcode',
    wasm: 'application/wasm',
  };
  return path.includes('.') ? (known[ext] ?? 'application/octet-stream') : 'application/octet-stream';
}
