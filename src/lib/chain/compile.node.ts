// Compiles every contracts/**/*.sol with solc-js (no native solc exists here) and caches the output by content hash,
// so `npm start` and the contract tests pay the ~1 s compile only when a source changed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import type { Abi, Hex } from 'viem';
import { ContractCompileError } from './errors';

interface CompiledContract {
  abi: Abi;
  bytecode: Hex;
  /** Source unit, e.g. `contracts/GranuleRegistry.sol`. */
  source: string;
}

export type CompiledContracts = Record<string, CompiledContract>;

export interface CompileContractsParameters {
  /** Repository root (holds contracts/ and node_modules/). Defaults to the current directory. */
  root?: string;
  /** Where compiled output is cached. Defaults to `<root>/.twingrain/cache/solc`. */
  cacheDir?: string;
}

const require = createRequire(import.meta.url);
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;

function listSolidity(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSolidity(full));
    else if (name.endsWith('.sol')) out.push(full);
  }
  return out;
}

/** Compiles all contracts under `<root>/contracts`, keyed by Solidity contract name (names must be unique). */
export function compileContracts(parameters: CompileContractsParameters = {}): CompiledContracts {
  const root = resolve(parameters.root ?? process.cwd());
  const cacheDir = parameters.cacheDir ?? join(root, '.twingrain', 'cache', 'solc');
  const files = listSolidity(join(root, 'contracts'));
  if (files.length === 0) throw new ContractCompileError(`No Solidity sources found under ${join(root, 'contracts')}.`);

  const solc = require('solc') as { version(): string; compile(input: string, callbacks: object): string };
  const sources: Record<string, { content: string }> = {};
  for (const file of files) sources[relative(root, file).split('\\').join('/')] = { content: readFileSync(file, 'utf8') };

  const hash = createHash('sha256').update(solc.version()).update(JSON.stringify(SETTINGS));
  for (const [name, { content }] of Object.entries(sources)) hash.update(name).update('\0').update(content).update('\0');
  // Imported library sources (OpenZeppelin) are pinned by the lockfile, so the version of the package is enough.
  const ozVersion = (require('@openzeppelin/contracts/package.json') as { version: string }).version;
  const key = hash.update(ozVersion).digest('hex').slice(0, 32);
  const cacheFile = join(cacheDir, `${key}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as CompiledContracts;

  const findImports = (path: string): { contents: string } | { error: string } => {
    const candidates = [join(root, path), join(root, 'node_modules', path)];
    for (const candidate of candidates) if (existsSync(candidate)) return { contents: readFileSync(candidate, 'utf8') };
    return { error: `File not found: ${path}` };
  };
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SETTINGS }), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new ContractCompileError(`The contracts do not compile:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  const compiled: CompiledContracts = {};
  for (const [source, contracts] of Object.entries(output.contracts ?? {})) {
    if (!sources[source]) continue; // skip imported library units such as OpenZeppelin's
    for (const [name, contract] of Object.entries(contracts)) {
      if (compiled[name]) {
        throw new ContractCompileError(`Two contracts are named ${name} (${compiled[name].source} and ${source}); rename one.`);
      }
      compiled[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}`, source };
    }
  }
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(compiled));
  return compiled;
}
