/**
 * The virtual printer: a Marlin firmware model (thermal model, motion timing, finite RX ring, command queue and
 * planner, fault injection) on a serial cable paced at its baud rate. One profile per reference printer (Table 2).
 *
 * ```ts
 * const printer = new VirtualPrinter({ model: 'jgaurora-z-603s', faults: { checksumErrorRate: 0.01 } });
 * const port = printer.open(115200); // a byte endpoint: write(), onData(), onClose(), close()
 * ```
 */
export { VirtualPrinter } from './virtual-printer';
export type { VirtualPrinterOptions, VirtualEndpoint, Faults } from './virtual-printer';
export { VirtualMarlin } from './firmware';
export * from './errors';
