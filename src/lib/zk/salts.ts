// Salts derived from the owner's secret, so an owner never has to store them: σ = H(Sk, α) and σ' = H(Sk, α, Pk_U).
// Each stays unguessable to others (it depends on Sk), and σ' reveals nothing about Sk when handed to the user.
import { poseidonHash } from '../identity/index';

export function deriveRegistrationSalt(secret: bigint, alpha: bigint): bigint {
  return poseidonHash([secret, alpha]);
}

export function deriveAuthorizationSalt(secret: bigint, alpha: bigint, userPk: bigint): bigint {
  return poseidonHash([secret, alpha, userPk]);
}
