// A small valid granule used by this area's tests (and reused by the twin runtime tests).
export function sampleManifest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 'twingrain/granule@1',
    name: 'test/echo',
    version: '1.0.0',
    description: 'Echo context for tests',
    domain: 'business',
    context: 'echo',
    phase: 'servitization',
    owner: { publicKey: '' },
    license: 'MIT',
    printers: [],
    tags: ['test'],
    mvc: { models: ['model.js'], views: ['view.js'], controllers: ['controller.js'] },
    entry: 'controller.js',
    provides: { operations: ['echo'], events: [] },
    dependencies: { granules: [], libraries: [] },
    environment: {},
    ...overrides,
  };
}

export function sampleFiles(overrides: Record<string, unknown> = {}): Record<string, string> {
  return {
    'granule.json': JSON.stringify(sampleManifest(overrides), null, 2),
    'model.js': 'exports.initial = () => ({ count: 0 });\n',
    'view.js': "exports.render = (state) => ({ type: 'kv', items: [['count', String(state.count)]] });\n",
    'controller.js':
      "const model = require('./model.js');\nlet state = model.initial();\nexports.operations = { echo: (p) => { state.count++; return p; } };\n",
  };
}
