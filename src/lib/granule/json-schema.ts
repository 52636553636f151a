// The JSON Schema of granule.json, generated from the valibot schema (manifest-schema.ts). Custom checks JSON Schema
// cannot express are left out (validateManifest runs them); uniqueness arrives through metadata.
import { toJsonSchema } from '@valibot/to-json-schema';
import { MANIFEST_DEFINITIONS, ManifestSchema } from './manifest-schema';

export function granuleJsonSchema(): Record<string, unknown> {
  return toJsonSchema(ManifestSchema, {
    target: 'draft-2020-12',
    definitions: MANIFEST_DEFINITIONS,
    ignoreActions: ['check', 'partial_check'],
    // The one custom schema is `environment`, a free-form JSON object.
    overrideSchema: ({ valibotSchema }) => (valibotSchema.type === 'custom' ? { type: 'object' } : undefined),
  }) as Record<string, unknown>;
}
