// The PWA served from one host of the test bed, as a community node would serve it: the built app and the
// community's runtime configuration (chain RPC and relays at their bed addresses), through the same server and
// Content-Security-Policy as `npm start`. Prints {"url"} once listening; runs until killed.
import { readFile } from 'node:fs/promises';
import { parseRuntimeConfig } from '../../src/lib/config';
import { serveApp } from '../../scripts/stack/serve';

const [root, host, port, configPath] = process.argv.slice(2);
if (!root || !host || !port || !configPath) {
  process.stderr.write('usage: app-host <dist folder> <address> <port> <runtime-config.json>\n');
  process.exit(2);
}
const config = parseRuntimeConfig(JSON.parse(await readFile(configPath, 'utf8')));
const app = await serveApp({ root, host, port: Number(port), config: () => config });
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
process.on('SIGTERM', () => void app.stop().finally(() => process.exit(0)));
