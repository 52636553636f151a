// granule.json's shape as a valibot schema: the one description of a manifest. validateManifest() runs it, and
// scripts/gen-granule-schema.ts turns it into the published JSON Schema (granule.schema.json), so the two cannot drift.
// Checks that JSON Schema cannot say (UTF-8 length, entry among the controllers, one file as two MVC elements) are
// v.check actions, left out of the JSON Schema; uniqueness is declared to it through metadata.
import * as v from 'valibot';

export const MANIFEST_FILE = 'granule.json';
export const MANIFEST_SCHEMA_ID = 'twingrain/granule@1';
export const PHASES = ['physical', 'virtualization', 'digitalization', 'servitization'] as const;

export const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
export const RANGE_RE = /^(\*|(\^|~|>=|<=|>|<|=)?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?)$/;
const MAX_TEXT = 4096;
const MAX_ITEMS = 1000;
const MAX_PATH_BYTES = 1024;
/**
 * A safe relative path inside a granule (archive.ts checkPath's rules, as one pattern a JSON Schema can carry): not
 * absolute, no backslash, no drive letter, no empty, "." or ".." segment, no control character, not granule.json itself.
 */
const PATH_RE = /^(?!\/)(?![A-Za-z]:)(?!.*\\)(?!.*\/\/)(?!.*\/$)(?!(.*\/)?\.{1,2}(\/|$))(?!granule\.json$)[^\u0000-\u001f\u007f]+$/;

const quoted = (input: unknown) => JSON.stringify(String(input).slice(0, 80));
const text = () => v.pipe(v.string('must be a string'), v.maxLength(MAX_TEXT, `is longer than ${MAX_TEXT} characters`));
const matching = (re: RegExp, what: string) =>
  v.pipe(
    text(),
    v.regex(re, (issue) => `${quoted(issue.input)} is not ${what}`),
  );
const strings = () => v.pipe(v.array(text(), 'must be an array of strings'), v.maxLength(MAX_ITEMS, `has more than ${MAX_ITEMS} items`));
const unique = <T extends v.GenericSchema<unknown, string>>(item: T) =>
  v.pipe(
    v.array(item, 'must be an array of strings'),
    v.maxLength(MAX_ITEMS, `has more than ${MAX_ITEMS} items`),
    v.check((list) => new Set(list).size === list.length, 'has duplicates'),
    v.metadata({ uniqueItems: true }),
  );

const PathSchema = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is not a safe file path inside the granule (it is empty)'),
  v.maxLength(MAX_PATH_BYTES, `is longer than ${MAX_PATH_BYTES} characters`),
  v.check((p) => new TextEncoder().encode(p).length <= MAX_PATH_BYTES, `is longer than ${MAX_PATH_BYTES} bytes`),
  v.regex(PATH_RE, (issue) =>
    issue.input === MANIFEST_FILE
      ? `${quoted(issue.input)} is not a safe file path inside the granule (granule.json itself is not an MVC element)`
      : `${quoted(issue.input)} is not a safe file path inside the granule`,
  ),
);
const MVC_WHY = 'must list at least one file (Definition 4: every bounded context has a model, a view and a controller)';
const PathsSchema = v.pipe(v.array(PathSchema, MVC_WHY), v.minLength(1, MVC_WHY), v.maxLength(MAX_ITEMS, `has more than ${MAX_ITEMS} items`));
const NameSchema = matching(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/, 'a lowercase granule name like "shdm-3ddtp-500/appearance"');
const IdentSchema = matching(/^[a-z][a-z0-9-]*$/, 'a lowercase identifier');
const OpNameSchema = matching(/^[a-zA-Z][a-zA-Z0-9.:_-]*$/, 'an operation or event name');

/** Named parts: the JSON Schema refers to them under $defs. */
export const MANIFEST_DEFINITIONS = { path: PathSchema, paths: PathsSchema, name: NameSchema, ident: IdentSchema, opName: OpNameSchema };

const described = <T extends v.GenericSchema>(schema: T, description: string) => v.pipe(schema, v.description(description));

export const ManifestSchema = v.pipe(
  v.strictObject(
    {
      schema: v.literal(MANIFEST_SCHEMA_ID, `must be "${MANIFEST_SCHEMA_ID}"`),
      name: described(NameSchema, 'e.g. shdm-3ddtp-500/appearance'),
      version: matching(SEMVER_RE, 'a semantic version like 1.0.0'),
      description: text(),
      domain: described(IdentSchema, 'DDD domain; Fig. 1 uses ontology, enabling, business'),
      context: described(
        IdentSchema,
        'bounded context, e.g. appearance, mechanical, formalization, communication, sensing, automation, task, simulation, service',
      ),
      phase: v.picklist(PHASES, `must be one of ${PHASES.join(', ')}`),
      owner: v.strictObject(
        {
          publicKey: described(
            matching(/^(0x[0-9a-f]{1,64})?$/, "empty or 0x-hex (the owner's Poseidon public key)"),
            'Poseidon public key Pk = h(Sk), hex; empty until registered',
          ),
          name: v.optional(text()),
        },
        'must be an object { publicKey, name? }',
      ),
      license: text(),
      printers: described(strings(), 'printer models the granule fits'),
      tags: strings(),
      mvc: v.strictObject({ models: PathsSchema, views: PathsSchema, controllers: PathsSchema }, 'must be an object { models, views, controllers }'),
      entry: described(PathSchema, 'one of mvc.controllers: the module the runtime starts'),
      provides: v.strictObject({ operations: unique(OpNameSchema), events: unique(OpNameSchema) }, 'must be an object { operations, events }'),
      consumes: v.optional(
        described(
          v.strictObject(
            { events: unique(matching(/^[a-z][a-z0-9-]*:[a-zA-Z][a-zA-Z0-9.:_-]*$/, 'an event topic like "sensing:reading" (context:event)')) },
            'must be an object { events }',
          ),
          'events the granule listens to, as <context>:<event>; the runtime delivers no other event to it (absent = none)',
        ),
      ),
      dependencies: described(
        v.strictObject(
          {
            granules: v.pipe(
              v.array(
                v.strictObject(
                  {
                    name: NameSchema,
                    version: matching(RANGE_RE, 'a version range like ^1.0.0'),
                    alpha: v.optional(matching(/^0x[0-9a-f]{64}$/, 'an α (0x + 64 lowercase hex digits)')),
                  },
                  'must be an object { name, version, alpha? }',
                ),
                'must be an array',
              ),
              v.maxLength(MAX_ITEMS, `has more than ${MAX_ITEMS} items`),
            ),
            libraries: v.pipe(
              v.array(v.strictObject({ name: text(), version: text() }, 'must be an object { name, version }'), 'must be an array'),
              v.maxLength(MAX_ITEMS, `has more than ${MAX_ITEMS} items`),
            ),
          },
          'must be an object { granules, libraries }',
        ),
        'granules: the contexts (by context or granule name) this granule may call — and only the operations they provide',
      ),
      environment: described(
        v.custom<Record<string, unknown>>((env) => env !== null && typeof env === 'object' && !Array.isArray(env), 'must be a JSON object'),
        'printer model, firmware, serial settings (baudRate…), build volume…',
      ),
      files: v.optional(
        v.pipe(
          v.array(
            v.strictObject(
              {
                path: PathSchema,
                size: v.pipe(
                  v.number('must be a non-negative integer'),
                  v.safeInteger('must be a non-negative integer'),
                  v.minValue(0, 'must be a non-negative integer'),
                ),
                sha256: matching(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
              },
              'must be an object { path, size, sha256 }',
            ),
            'must be an array',
          ),
          v.maxLength(10_000, 'has more than 10000 items'),
        ),
      ),
    },
    'must be a JSON object',
  ),
  v.forward(
    v.partialCheck([['entry'], ['mvc', 'controllers']], (m) => m.mvc.controllers.includes(m.entry), 'must be one of mvc.controllers'),
    ['entry'],
  ),
  v.forward(
    v.partialCheck(
      [
        ['mvc', 'models'],
        ['mvc', 'views'],
        ['mvc', 'controllers'],
      ],
      (m) => {
        const all = [...m.mvc.models, ...m.mvc.views, ...m.mvc.controllers];
        return new Set(all).size === all.length;
      },
      'lists one file as two MVC elements',
    ),
    ['mvc'],
  ),
  v.metadata({
    $id: 'https://twingrain.invalid/schemas/granule.schema.json',
    title: 'twingrain granule manifest (granule.json)',
    description:
      'A bounded context of an MVC-DDD digital twin packaged as a shareable granule. In a packed archive, `files` lists every file except granule.json, sorted by path.',
  }),
);
