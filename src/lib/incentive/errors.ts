// Incentive errors carry a message for the person who entered the scenario: which parameter, what is wrong, what to do.
import { namedError } from '../errors/index';

export class IncentiveError extends namedError('IncentiveError', Error) {}

/** A scenario parameter outside the domain of the model (paper, Appendix 2, (1.6)–(1.8)). */
export class InvalidParameterError extends namedError('InvalidParameterError', IncentiveError) {
  constructor(
    readonly parameter: string,
    detail: string,
    hint: string,
  ) {
    super(`Invalid incentive parameter ${parameter}: ${detail}. ${hint}`);
  }
}

/**
 * The platform's objective V − Σ costs is not strictly concave for these parameters: its Hessian is singular or
 * indefinite, so the first-order conditions (6) do not describe a maximum.
 */
export class NotConcaveError extends namedError('NotConcaveError', IncentiveError) {
  readonly parameter = 'omega';
  constructor(readonly row: number) {
    super(
      `Invalid incentive parameter omega: the interdependence is too strong for these parameters, so the platform's objective is not concave (its Hessian is singular or indefinite at provider ${row}). Lower omega, or raise theta, sigma or vartheta.`,
    );
  }
}

/** The solver or a check at the solution failed. This is a bug, not bad input. */
export class SolverError extends namedError('SolverError', IncentiveError) {
  constructor(detail: string) {
    super(`The incentive solver failed: ${detail}. Please report this scenario to the twingrain maintainers.`);
  }
}
