// Poseidon over BN254 with circomlib's constants, so hashes here equal the circuits' (paper: H = h(·)).
import { poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6 } from 'poseidon-lite';
import { isFieldElement } from './field';

const byArity = [poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6] as const;

export function poseidonHash(inputs: readonly bigint[]): bigint {
  const fn = byArity[inputs.length - 1];
  if (!fn) throw new RangeError(`Poseidon takes 1 to ${byArity.length} inputs, got ${inputs.length}`);
  for (const x of inputs) if (!isFieldElement(x)) throw new RangeError('Poseidon input is outside the BN254 scalar field');
  return fn(inputs as bigint[]);
}
