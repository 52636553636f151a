/**
 * The reference printers as data both sides of the cable share: the host (driver, estimate, journal, controls) and the
 * simulator read the same profile (volume, speeds, buffers, features), motion limits and thermal model from here, so
 * the printer driver does not depend on the simulator.
 */
export { printerProfiles, printerModelIds, getPrinterProfile, motionLimitsOf } from './profiles';
export type { PrinterProfile } from './profiles';
export { machineOf, knowsCommand } from './machine';
export { Heater } from './thermal';
export { UnknownPrinterModelError } from './errors';
