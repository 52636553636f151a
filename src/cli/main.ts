import '../lib/node/polyfills';
import { commands } from './commands/index';
import { printError } from './output';

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
    const lines = ['usage: twingrain <command> [options]', '', 'commands:'];
    for (const [name, load] of Object.entries(commands)) {
      const command = await load();
      lines.push(`  ${name.padEnd(12)} ${command.summary}`);
    }
    process.stdout.write(lines.join('\n') + '\n');
    return verb ? 0 : 1;
  }
  const load = commands[verb];
  if (!load) {
    printError(new Error(`unknown command "${verb}" (try: twingrain help)`));
    return 2;
  }
  const command = await load();
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    // snarkjs and libp2p keep handles open; a finished command ends the process explicitly.
    if (code !== -1) process.exit(code);
  },
  (error: unknown) => {
    printError(error);
    process.exit(1);
  },
);
