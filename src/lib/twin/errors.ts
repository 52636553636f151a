// Typed errors of the twin model and runtime; messages say what happened and what to do.
import { namedError } from '../errors/index';

class TwinError extends namedError('TwinError', Error) {}

/** twin.json or a granule folder it references cannot be read or understood. */
export class TwinSourceError extends namedError('TwinSourceError', TwinError) {}

/** A request named a context the twin does not have, or an operation the context does not declare. */
export class UnknownOperationError extends namedError('UnknownOperationError', TwinError) {
  constructor(context: string, op: string, known: string[]) {
    super(`The ${context} context has no operation "${op}" (it declares: ${known.join(', ') || 'none'}). Check the granule's provides.operations.`);
  }
}

/** The context's granule was stopped (it hung, crashed or ran out of memory) or never started. */
export class ContextUnavailableError extends namedError('ContextUnavailableError', TwinError) {
  constructor(
    readonly context: string,
    reason: string,
  ) {
    super(`The ${context} context is not running (${reason}). Replace its granule or restart the twin; the other contexts keep running.`);
  }
}

/** The granule answered a request with an error. */
export class GranuleOperationError extends namedError('GranuleOperationError', TwinError) {
  constructor(
    readonly context: string,
    readonly op: string,
    detail: string,
  ) {
    super(`The ${context} context failed on "${op}": ${detail}`);
  }
}

/** A capability (e.g. the printer link) was requested by a context that was not granted it, or is not connected. */
export class CapabilityDeniedError extends namedError('CapabilityDeniedError', TwinError) {}

/**
 * A granule reached past what its granule.json declares: a context it does not depend on, an operation the target
 * does not provide, or an event it does not consume. The call is refused and reported as an incident.
 */
export class UndeclaredAccessError extends namedError('UndeclaredAccessError', CapabilityDeniedError) {
  readonly code = 'UNDECLARED_ACCESS';
}

/** A printer command outside the machine envelope the twin's formalization context states; it never reached the printer. */
export class CommandRefusedError extends namedError('CommandRefusedError', CapabilityDeniedError) {
  readonly code = 'COMMAND_REFUSED';
  constructor(
    readonly command: string,
    readonly reason: string,
  ) {
    super(`The printer command "${command.slice(0, 60)}" was refused: ${reason}. It was not sent to the printer.`);
  }
}
