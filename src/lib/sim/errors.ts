// Errors raised by the virtual printer. Each says what happened and what to do about it.
import { namedError } from '../errors/index';

class SimError extends namedError('SimError', Error) {}

/** A fault-injection setting is out of range. */
export class InvalidFaultConfigError extends namedError('InvalidFaultConfigError', SimError) {
  constructor(field: string, value: unknown) {
    super(`fault setting ${field}=${String(value)} is invalid; rates are numbers between 0 and 1`);
  }
}

/** Something wrote to a virtual port after it was closed or unplugged. */
export class PortClosedError extends namedError('PortClosedError', SimError) {
  constructor() {
    super('the virtual serial port is closed (unplugged or closed by the host); open it again to continue');
  }
}

/** A pseudo-terminal could not be made (socat missing or failing). */
export class PtyUnavailableError extends namedError('PtyUnavailableError', SimError) {
  constructor(reason: string) {
    super(`could not open a pseudo-terminal for the virtual printer (${reason}); install socat (Debian: apt-get install socat) and try again`);
  }
}
