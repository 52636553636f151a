// Errors about the reference printers' descriptions. Each says what happened and what to do about it.
import { namedError } from '../errors/index';

/** The printer model id is not one of the reference printers. */
export class UnknownPrinterModelError extends namedError('UnknownPrinterModelError', Error) {
  readonly code = 'UNKNOWN_PRINTER_MODEL';
  constructor(
    readonly model: string,
    readonly known: readonly string[],
  ) {
    super(`unknown printer model "${model}"; use one of: ${known.join(', ')}`);
  }
}
