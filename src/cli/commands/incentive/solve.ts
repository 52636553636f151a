// `twingrain incentive solve <scenario.json>` prints {"m","f","g","E","Z","pi"} for the scenario's optimum.
import { readFile } from 'node:fs/promises';
import { solveScenario } from '../../../lib/incentive/index';
import { CliUsageError, type Command } from '../../command';
import { parseFlags, printJson } from '../../output';

export const command: Command = {
  summary: 'the platform optimum m*, compensation E_i = f_i m_i + g_i, utilities Z_i and payoff π* of a scenario',
  usage: 'twingrain incentive solve <scenario.json>',
  async run(argv) {
    const { positionals } = parseFlags(argv, {});
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new CliUsageError(`give one scenario file; usage: ${command.usage}`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new CliUsageError(`cannot read the scenario file "${file}"; check the path`);
    }
    let scenario: unknown;
    try {
      scenario = JSON.parse(text);
    } catch {
      throw new CliUsageError(`the scenario file "${file}" is not valid JSON; see src/lib/incentive/scenarios/example.json`);
    }
    const { m, f, g, E, Z, pi } = solveScenario(scenario as Parameters<typeof solveScenario>[0]);
    printJson({ m, f, g, E, Z, pi });
    return 0;
  },
};
