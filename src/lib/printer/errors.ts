// Errors of the printer host. Each message says what happened and what the person can do next.
import { namedError } from '../errors/index';

export class PrinterError extends namedError('PrinterError', Error) {}

/** A G-code line cannot be sent as it is (too long for the firmware, control characters, a stray checksum). */
export class MalformedGcodeError extends namedError('MalformedGcodeError', PrinterError) {
  constructor(
    readonly line: string,
    reason: string,
    readonly lineNumber?: number,
  ) {
    super(
      `G-code${lineNumber !== undefined ? ` line ${lineNumber}` : ''} "${line.slice(0, 40)}" cannot be sent: ${reason}; ` +
        'fix the file (or re-slice it) and try again',
    );
  }
}

/** The firmware answered nothing intelligible during the handshake: usually the wrong baud rate. */
export class BaudMismatchError extends namedError('BaudMismatchError', PrinterError) {
  constructor(readonly baud?: number) {
    super(
      `the printer answers with unreadable bytes${baud ? ` at ${baud} baud` : ''}; it probably runs at another rate — ` +
        "reconnect at the printer's baud rate (Marlin boards usually use 115200 or 250000)",
    );
  }
}

/** Nothing at all came back. */
export class NoResponseError extends namedError('NoResponseError', PrinterError) {
  constructor(readonly waitedMs: number) {
    super(
      `the printer did not answer within ${Math.round(waitedMs / 1000)} s; check that it is powered on, that the ` +
        'right port is chosen, and that no other program (a slicer, OctoPrint) holds the port',
    );
  }
}

/** The firmware stopped answering during a command and recovery attempts failed. */
export class CommunicationTimeoutError extends namedError('CommunicationTimeoutError', PrinterError) {
  constructor(readonly attempts: number) {
    super(
      `the printer stopped answering (${attempts} recovery attempts failed); the job was stopped — check the cable ` +
        "and the printer's display, then reconnect",
    );
  }
}

/** The firmware halted (kill(), M112, thermal runaway). */
export class PrinterHaltedError extends namedError('PrinterHaltedError', PrinterError) {
  constructor(readonly reason: string) {
    super(`the printer halted: ${reason}; it needs a reset (power-cycle or reconnect) before it can print again`);
  }
}

/** The firmware restarted during a job; its position and line numbers are gone, so the job cannot resume. */
export class PrinterResetError extends namedError('PrinterResetError', PrinterError) {
  constructor(readonly atLine: number | undefined) {
    super(
      `the printer reset${atLine !== undefined ? ` during line ${atLine}` : ''}; the print cannot resume where it ` +
        'stopped — remove the part, check the printer, and start the job again',
    );
  }
}

/** The port went away and did not come back in time. */
export class DisconnectedError extends namedError('DisconnectedError', PrinterError) {
  constructor(reason: string) {
    super(`the printer disconnected (${reason}); reconnect it to continue`);
  }
}

/** The firmware asked for a line the host no longer has. */
export class ResendOutOfRangeError extends namedError('ResendOutOfRangeError', PrinterError) {
  constructor(readonly requested: number) {
    super(`the printer asked to resend line ${requested}, which is no longer held; the print was stopped safely — ` + 'start it again');
  }
}

/** A control the printer's twin does not have (Table 2), or a value out of range. */
export class UnsupportedControlError extends namedError('UnsupportedControlError', PrinterError) {
  constructor(control: string, printer: string) {
    super(`${printer} has no ${control}; this control is not part of its twin`);
  }
}

export class InvalidControlValueError extends namedError('InvalidControlValueError', PrinterError) {
  constructor(control: string, value: unknown, range: string) {
    super(`${control} must be ${range}, got ${String(value)}`);
  }
}

/** Web Serial (and WebUSB) are not available in this browser. */
export class SerialUnavailableError extends namedError('SerialUnavailableError', PrinterError) {
  constructor() {
    super('this browser has neither Web Serial nor WebUSB; use Chrome or Edge on a desktop, Chrome on Android, or the ' + 'virtual printer');
  }
}

/** The person closed the port chooser without picking a port. */
export class PortNotChosenError extends namedError('PortNotChosenError', PrinterError) {
  constructor() {
    super("no port was chosen; click Connect again and pick the printer in the browser's list");
  }
}

/** A job operation that does not fit the job's state (resume when not paused, etc.). */
export class JobStateError extends namedError('JobStateError', PrinterError) {}

/** The job was cancelled by the person. */
export class JobCancelledError extends namedError('JobCancelledError', PrinterError) {
  constructor() {
    super('the job was cancelled; the printer was parked and cooled down');
  }
}

/** A serial device could not be opened (missing, busy, no permission). */
export class SerialPortOpenError extends namedError('SerialPortOpenError', PrinterError) {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`could not open the serial port ${path} (${reason}); check the device path, that no other program uses it, and your permission to open it`);
  }
}
