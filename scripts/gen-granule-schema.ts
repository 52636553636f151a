// Writes the published JSON Schema of granule.json from the valibot schema that validates it (manifest-schema.ts):
// src/lib/granule/granule.schema.json and its served copy public/schemas/granule.schema.json.
// Run: npx tsx scripts/gen-granule-schema.ts   (a test fails while the committed files differ from what this writes)
import { writeFileSync } from 'node:fs';
import { granuleJsonSchema } from '../src/lib/granule/json-schema';

const text = `${JSON.stringify(granuleJsonSchema(), null, 2)}\n`;
for (const file of ['src/lib/granule/granule.schema.json', 'public/schemas/granule.schema.json']) {
  writeFileSync(new URL(`../${file}`, import.meta.url), text);
  console.log(`wrote ${file}`);
}
