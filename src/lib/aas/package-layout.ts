// Where things live in a twingrain AASX, and the relationship types of the AASX format (IDTA-01005, Part 5).
export const REL = {
  origin: 'http://admin-shell.io/aasx/relationships/aasx-origin',
  spec: 'http://admin-shell.io/aasx/relationships/aas-spec',
  specSplit: 'http://admin-shell.io/aasx/relationships/aas-spec-split',
  suppl: 'http://admin-shell.io/aasx/relationships/aas-suppl',
} as const;

/** The same types as AASX Package Explorer wrote them before the specification dropped "www."; accepted on import. */
export const LEGACY_REL = {
  origin: 'http://www.admin-shell.io/aasx/relationships/aasx-origin',
  spec: 'http://www.admin-shell.io/aasx/relationships/aas-spec',
  specSplit: 'http://www.admin-shell.io/aasx/relationships/aas-spec-split',
  suppl: 'http://www.admin-shell.io/aasx/relationships/aas-suppl',
} as const;

export const ORIGIN_PART = '/aasx/aasx-origin';
export const GRANULES_FOLDER = '/aasx/granules/';
export const TWIN_ID_PREFIX = 'urn:twingrain:twin:';

/** The environment part of a twin's package, e.g. /aasx/shdm-3ddtp-500/shdm-3ddtp-500.aas.json. */
export function environmentPart(twinId: string): string {
  const safe = twinId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'twin';
  return `/aasx/${safe}/${safe}.aas.json`;
}

export const twinAasId = (twinId: string) => TWIN_ID_PREFIX + encodeURIComponent(twinId);
export const contextSubmodelId = (twinId: string, context: string) => `${twinAasId(twinId)}:context:${context}`;
export const nameplateId = (twinId: string) => `${twinAasId(twinId)}:nameplate`;
export const technicalDataId = (twinId: string) => `${twinAasId(twinId)}:technical-data`;
