// Writes each reference printer's appearance/scene.json from scene.ts. Run: npx tsx static-twins/generate-scenes.ts
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printerScene, sceneSpecs } from './scene';

const here = dirname(fileURLToPath(import.meta.url));
for (const [id, spec] of Object.entries(sceneSpecs)) {
  writeFileSync(join(here, id, 'appearance', 'scene.json'), JSON.stringify(printerScene(spec), null, 1) + '\n');
}
