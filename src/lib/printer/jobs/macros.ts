// User macros: a named G-code snippet per printer, shown as a button. Checked line by line when saved, so a macro
// that cannot be sent is refused then, not halfway through running it.
import { stripComment, validateCommand } from '../framing';
import { MalformedGcodeError } from '../errors';
import { InvalidMacroError } from './errors';
import type { Macro } from './records';

const MAX_LINES = 200;

/** The commands a macro sends (comments and blank lines dropped). */
export function macroCommands(gcode: string, maxCommandSize = 96): string[] {
  const commands: string[] = [];
  for (const [i, line] of gcode.split(/\r?\n/).entries()) {
    const c = stripComment(line);
    if (!c) continue;
    try {
      validateCommand(c, maxCommandSize, i + 1);
    } catch (e) {
      if (e instanceof MalformedGcodeError) throw new InvalidMacroError(`line ${i + 1} ("${c.slice(0, 30)}") is not a command the printer can take`);
      throw e;
    }
    if (/^M112\b/i.test(c)) throw new InvalidMacroError('emergency stop (M112) has its own button');
    commands.push(c);
  }
  if (commands.length === 0) throw new InvalidMacroError('it has no G-code command');
  if (commands.length > MAX_LINES) throw new InvalidMacroError(`it has more than ${MAX_LINES} commands; print it as a file instead`);
  return commands;
}

export function makeMacro(printerId: string, name: string, gcode: string, id: string, maxCommandSize = 96): Macro {
  const n = name.trim();
  if (!n) throw new InvalidMacroError('it needs a name for its button');
  if (n.length > 40) throw new InvalidMacroError('its name is longer than 40 characters');
  macroCommands(gcode, maxCommandSize);
  return { id, printerId, name: n, gcode };
}

/** Send a macro's commands in order; stops at the first that fails. */
export async function runMacro(macro: Macro, send: (command: string) => Promise<unknown>, maxCommandSize = 96): Promise<void> {
  for (const c of macroCommands(macro.gcode, maxCommandSize)) await send(c);
}
