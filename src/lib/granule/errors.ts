// Typed errors of the granule format. Each message says what is wrong and what the person can do about it.
import { namedError } from '../errors/index';

export type GranuleErrorCode =
  | 'ARCHIVE_MALFORMED'
  | 'ARCHIVE_TRUNCATED'
  | 'PATH_INVALID'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_MISMATCH'
  | 'ALPHA_MISMATCH'
  | 'SOURCE_INVALID';

export class GranuleError extends namedError('GranuleError', Error) {
  constructor(
    readonly code: GranuleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The bytes do not follow the twingrain granule archive layout (wrong magic, bad lengths, trailing bytes…). */
export class ArchiveMalformedError extends namedError('ArchiveMalformedError', GranuleError) {
  constructor(detail: string) {
    super(
      'ARCHIVE_MALFORMED',
      `This is not a valid granule archive: ${detail}. Re-pack the granule with "twingrain granule pack" or ask its owner for a fresh copy.`,
    );
  }
}

/** The archive ends before its declared content does: the download or copy was cut short. */
export class ArchiveTruncatedError extends namedError('ArchiveTruncatedError', GranuleError) {
  constructor(detail: string) {
    super('ARCHIVE_TRUNCATED', `The granule archive is truncated (${detail}). Fetch or copy it again.`);
  }
}

/** A file path that is absolute, climbs out of the granule (`..`), or is otherwise unsafe. */
export class PathInvalidError extends namedError('PathInvalidError', GranuleError) {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(
      'PATH_INVALID',
      `The granule contains an unsafe file path ${JSON.stringify(path)} (${reason}). Refusing it: a granule may only hold relative paths inside itself.`,
    );
  }
}

/** granule.json is missing or does not follow the published schema. `issues` lists every problem with its JSON path. */
export class ManifestInvalidError extends namedError('ManifestInvalidError', GranuleError) {
  constructor(readonly issues: string[]) {
    super(
      'MANIFEST_INVALID',
      `The granule manifest (granule.json) is invalid: ${issues.join('; ')}. Fix granule.json (schema: /schemas/granule.schema.json) and pack again.`,
    );
  }
}

/** The manifest's file list does not describe the files actually in the archive. */
export class ManifestMismatchError extends namedError('ManifestMismatchError', GranuleError) {
  constructor(readonly issues: string[]) {
    super('MANIFEST_MISMATCH', `The granule's files do not match its manifest: ${issues.join('; ')}. The archive was altered after packing; do not use it.`);
  }
}

/** The archive's α is not the one that was expected (e.g. the one registered on chain). */
export class AlphaMismatchError extends namedError('AlphaMismatchError', GranuleError) {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'ALPHA_MISMATCH',
      `The granule's content hash α is ${actual} but ${expected} was expected: these are different contents. Fetch the granule again from a trusted source.`,
    );
  }
}

/** A source folder cannot be packed (no granule.json, unreadable files, a symlink…). */
export class SourceInvalidError extends namedError('SourceInvalidError', GranuleError) {
  constructor(detail: string) {
    super('SOURCE_INVALID', `Cannot pack this folder: ${detail}.`);
  }
}
