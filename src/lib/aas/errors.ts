// Typed errors of AAS import and export. Messages say what happened and what to do; they name no page, so the CLI
// prints them as they are.
import { namedError } from '../errors/index';

export type AasErrorCode =
  | 'PACKAGE_MALFORMED'
  | 'PACKAGE_TOO_LARGE'
  | 'ZIP_BOMB'
  | 'UNSAFE_PATH'
  | 'NOT_AN_AASX'
  | 'ENVIRONMENT_INVALID'
  | 'NOT_A_TWIN'
  | 'GRANULE_MISMATCH'
  | 'EXPORT_INVALID';

export class AasError extends namedError('AasError', Error) {
  constructor(
    readonly code: AasErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The file is not a readable zip (truncated, damaged, encrypted, or an unsupported zip feature). */
export class PackageMalformedError extends namedError('PackageMalformedError', AasError) {
  constructor(detail: string) {
    super('PACKAGE_MALFORMED', `This file is not a readable AASX package: ${detail}. Export it again or ask its sender for a fresh copy.`);
  }
}

/** A limit on the package's size or number of files: refused before anything is unpacked. */
export class PackageTooLargeError extends namedError('PackageTooLargeError', AasError) {
  constructor(detail: string) {
    super('PACKAGE_TOO_LARGE', `This AASX package is too large to import: ${detail}. Nothing was unpacked.`);
  }
}

/** An entry that unpacks to far more than it occupies (a "zip bomb"), or whose real size differs from its declared one. */
export class ZipBombError extends namedError('ZipBombError', AasError) {
  constructor(
    readonly entry: string,
    detail: string,
  ) {
    super('ZIP_BOMB', `The AASX package's file ${JSON.stringify(entry.slice(0, 120))} ${detail}; it looks built to exhaust memory. Nothing was unpacked.`);
  }
}

/** A file name or reference that would escape the package or the twin folder (`..`, absolute paths, backslashes…). */
export class UnsafePathError extends namedError('UnsafePathError', AasError) {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(
      'UNSAFE_PATH',
      `The AASX package names an unsafe path ${JSON.stringify(path.slice(0, 120))} (${reason}). Refusing the whole package: nothing was written.`,
    );
  }
}

/** A zip, but not an AASX: no aasx-origin, no aas-spec part, or a part the relationships name is missing. */
export class NotAnAasxError extends namedError('NotAnAasxError', AasError) {
  constructor(detail: string) {
    super('NOT_AN_AASX', `This file is a zip but not an AASX package: ${detail}.`);
  }
}

/** The AAS environment inside the package cannot be read or breaks the AAS V3.0 metamodel. */
export class EnvironmentInvalidError extends namedError('EnvironmentInvalidError', AasError) {
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(
      'ENVIRONMENT_INVALID',
      `The package's Asset Administration Shell data is not valid AAS V3.0: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}. Fix it in the tool that made it and export again.`,
      options,
    );
  }
}

/** A valid AASX that holds no twingrain twin (no shell with bounded-context submodels). */
export class NotATwinError extends namedError('NotATwinError', AasError) {
  constructor(detail: string) {
    super('NOT_A_TWIN', `This AASX package holds no twin that can be imported: ${detail}.`);
  }
}

/**
 * A granule carried in the package does not hash to the α (Granule ID) the package records for it. The message
 * stays in plain words; `expected` and `actual` carry the two values for programs and technical details.
 */
export class GranuleMismatchError extends namedError('GranuleMismatchError', AasError) {
  constructor(
    readonly context: string,
    detail: string,
    readonly expected?: string,
    readonly actual?: string,
  ) {
    super(
      'GRANULE_MISMATCH',
      `The ${context} granule in this package ${detail}. Its files were changed after export; nothing was written. Ask the sender for a fresh export.`,
    );
  }
}

/** What export built does not pass the AAS verification (a bug or a twin with content AAS cannot hold). */
export class ExportInvalidError extends namedError('ExportInvalidError', AasError) {
  constructor(readonly problems: string[]) {
    super('EXPORT_INVALID', `The twin could not be written as a valid AAS: ${problems.slice(0, 5).join('; ')}. Nothing was written.`);
  }
}
