// Asset Administration Shell interop: a twin as an AASX package (AAS V3.0, JSON) and back. Runs in Node and the
// browser; the CLI writes the imported folder to disk, the Twins page shows it.
export * from './errors';
export { exportAasx, type ExportAasxParameters, type ExportAasxReturnType } from './export-aasx';
export { importAasx, type ImportAasxParameters, type ImportAasxReturnType, type UnmappedItem } from './import-aasx';
export type { ZipLimits } from './zip';
