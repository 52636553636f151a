// What can go wrong with queues, macros and resuming, in words a printer owner can act on.
import { PrinterError } from '../errors';
import { namedError } from '../../errors/index';

export class JobsError extends namedError('JobsError', PrinterError) {}

export class QueueItemNotFoundError extends namedError('QueueItemNotFoundError', JobsError) {
  readonly code = 'QUEUE_ITEM_NOT_FOUND';
  constructor() {
    super('That file is no longer in the queue (it was printed or removed). Nothing was changed.');
  }
}

export class InvalidCopiesError extends namedError('InvalidCopiesError', JobsError) {
  readonly code = 'INVALID_COPIES';
  constructor(value: unknown) {
    super(`The number of copies must be a whole number from 1 to 100, not ${String(value)}.`);
  }
}

export class PrinterBusyError extends namedError('PrinterBusyError', JobsError) {
  readonly code = 'PRINTER_BUSY';
  constructor(status: string) {
    super(`The printer cannot start a print now (it is ${status}). Wait until it is ready, then start again.`);
  }
}

export class InvalidMacroError extends namedError('InvalidMacroError', JobsError) {
  readonly code = 'INVALID_MACRO';
  constructor(reason: string) {
    super(`This macro cannot be saved: ${reason}. Nothing was saved.`);
  }
}

export class ResumeUnavailableError extends namedError('ResumeUnavailableError', JobsError) {
  readonly code = 'RESUME_UNAVAILABLE';
  constructor(reason: string) {
    super(`The print cannot be resumed: ${reason}.`);
  }
}

export class InvalidJournalError extends namedError('InvalidJournalError', JobsError) {
  readonly code = 'INVALID_JOURNAL';
  constructor(reason: string) {
    super(`The print journal cannot be read: ${reason}. Use the journal file written by \`printer stream --journal\`.`);
  }
}
