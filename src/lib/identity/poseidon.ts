// Poseidon over BN254 with circomlib's constants, so hashes here equal the circuits' (paper: H = h(·)).
// Per-arity imports: the package index would pull in the constants of all 16 arities (about 600 kB).
import { poseidon1 } from 'poseidon-lite/poseidon1';
import { poseidon2 } from 'poseidon-lite/poseidon2';
import { poseidon3 } from 'poseidon-lite/poseidon3';
import { poseidon4 } from 'poseidon-lite/poseidon4';
import { poseidon5 } from 'poseidon-lite/poseidon5';
import { poseidon6 } from 'poseidon-lite/poseidon6';
import { isFieldElement } from './field';

const byArity = [poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6] as const;

export function poseidonHash(inputs: readonly bigint[]): bigint {
  const fn = byArity[inputs.length - 1];
  if (!fn) throw new RangeError(`Poseidon takes 1 to ${byArity.length} inputs, got ${inputs.length}`);
  for (const x of inputs) if (!isFieldElement(x)) throw new RangeError('Poseidon input is outside the BN254 scalar field');
  return fn(inputs as bigint[]);
}
