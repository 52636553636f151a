// Marlin's line framing: `N<n> <command>*<checksum>\n`, where the checksum is the XOR of every byte before '*'.

import { MalformedGcodeError } from './errors';

export function checksum(text: string): number {
  let cs = 0;
  for (let i = 0; i < text.length; i++) cs ^= text.charCodeAt(i);
  return cs & 0xff;
}

export function frameLine(n: number, command: string): string {
  const body = `N${n} ${command}`;
  return `${body}*${checksum(body)}\n`;
}

// One comment stripper for every reader of G-code: the interpreter's.
export { stripComment } from '../gcode/index';

/**
 * Check that a command can be framed and sent; throws MalformedGcodeError otherwise. `maxCommandSize` is Marlin's
 * MAX_CMD_SIZE: a framed line longer than that is cut by the firmware.
 */
export function validateCommand(command: string, maxCommandSize = 96, lineNumber?: number): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f-\uffff]/.test(command)) throw new MalformedGcodeError(command, 'it contains control or non-ASCII characters', lineNumber);
  if (command.includes('*')) throw new MalformedGcodeError(command, 'it already carries a checksum (*)', lineNumber);
  if (!/^[GMTgmt]\d|^[A-Za-z]/.test(command)) throw new MalformedGcodeError(command, 'it does not start with a command letter', lineNumber);
  if (command.length + 14 > maxCommandSize) {
    throw new MalformedGcodeError(command, `it is longer than the firmware's ${maxCommandSize}-byte line buffer`, lineNumber);
  }
}
