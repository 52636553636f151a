/**
 * twingrain's printer host: drive Marlin printers over Web Serial, WebUSB or the virtual printer.
 *
 * - `MarlinHost` — the protocol over any `ByteLink` (line numbers, checksums, a send-ahead window proven not to
 *   overflow the firmware's RX buffer, resends with exactly-once execution, timeouts with recovery, reports).
 * - `Printer` — one printer: transport + host + its twin's controls (`controlsFor`) + job queue + live state.
 * - `PrintJob` — a file streamed from a `LineSource` (never loaded whole) with progress, ETA, pause/resume with
 *   parking, cancel with cool-down.
 * - The G-code analysis itself lives in src/lib/gcode (one interpreter for the viewer, the estimate and the simulator);
 *   `generateTestGcode`, `layerOfCommand` and the analysis type are re-exported here for the printer panel.
 * - Transports: `VirtualTransport` here; `WebSerialTransport` / `WebUsbTransport` in `transports/*.browser.ts`.
 *
 * ```ts
 * const printer = new Printer(new VirtualTransport({ model: 'jgaurora-z-603s' }), getPrinterProfile('jgaurora-z-603s'));
 * await printer.connect();
 * await printer.setHotend(210);
 * printer.enqueueJob(blobSource(file));
 * ```
 */
export { MarlinHost } from './protocol';
export type { MarlinHostOptions, HostStats, HostEvents } from './protocol';
export { Printer } from './printer';
export type { PrinterStatus, PrinterSnapshot, PrinterOptions, TemperatureSample } from './printer';
export { PrintJob } from './job';
export { streamFile } from './stream';
export type { StreamOptions, StreamReport } from './stream';
export type { JobState, JobProgress, PrintJobOptions } from './job';
export { controlsFor, gcodeFor } from './controls';
export type { ControlSet } from './controls';
export { layerOfCommand, generateTestGcode } from '../gcode/index';
export type { GcodeAnalysis, GcodeLayer, GenerateOptions } from '../gcode/index';
export { readLines, blobSource, textSource } from './line-source';
export type { LineSource, SourceLine } from './line-source';
export { checksum, frameLine, stripComment, validateCommand } from './framing';
export { parseFirmwareLine, parseTemperatures } from './responses';
export type { FirmwareLine, TemperatureReading, PositionReading } from './responses';
export type { ByteLink, Transport } from './transport';
export { BAUD_RATES } from './transport';
export { VirtualTransport } from './transports/virtual';
export type { VirtualTransportOptions } from './transports/virtual';
export { virtualSerialPort } from './transports/virtual-serial-port';
export * from './errors';
