// The house's import rules (README: "Which way the arrows point"), checked by `npm run lint`.
// An area of src/lib is its folder; another area is reached through its index.ts only — or through a file that index.ts
// cannot carry: a platform variant (x.node.ts / x.browser.ts, kept out of the other platform's bundle), generated
// bindings (*.generated.ts), or, from a test, an area's test fixtures (test-fixture.ts, testing/).
const AREA = '^src/lib/([^/]+)/';
// src/lib/node/ holds Node-only helpers (anvil, ports, polyfills): a platform folder, like x.node.ts files.
const PLATFORM_OR_GENERATED = '(\\.node\\.ts|\\.browser\\.ts|\\.generated\\.ts)$|^src/lib/node/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lib-is-the-core',
      comment: 'src/lib runs in the page, in workers and in Node: it imports none of the shells around it.',
      severity: 'error',
      // A test beside its code may check a generated file against the script that generates it.
      from: { path: '^src/lib/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(src/ui|src/cli|src/workers|relay|scripts)/' },
    },
    {
      name: 'workers-import-only-lib',
      comment: 'A worker is a thin shell over src/lib: no UI, CLI, relay or script code in it.',
      severity: 'error',
      from: { path: '^src/workers/' },
      to: { path: '^(src/ui|src/cli|relay|scripts|tests)/' },
    },
    {
      name: 'areas-meet-at-index',
      comment: 'One area reaches another only through its index.ts (or a platform variant / generated file it cannot carry).',
      severity: 'error',
      from: { path: '^src/lib/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: {
        path: AREA,
        pathNot: ['^src/lib/$1/', `^src/lib/[^/]+/index\\.ts$`, `^src/lib/[^/]+/[^/]+/index\\.ts$`, PLATFORM_OR_GENERATED],
      },
    },
    {
      name: 'shells-meet-lib-at-index',
      comment: 'The UI, the CLI, the workers and the relay reach an area of src/lib through its index.ts too.',
      severity: 'error',
      from: { path: '^(src/ui|src/cli|src/workers|relay)/', pathNot: '\\.test\\.ts$' },
      to: { path: AREA, pathNot: [`^src/lib/[^/]+/index\\.ts$`, `^src/lib/[^/]+/[^/]+/index\\.ts$`, PLATFORM_OR_GENERATED] },
    },
    {
      name: 'no-cycles',
      comment: 'A circle between modules means one concept is split in two places: merge it or give it its own room.',
      severity: 'error',
      // A Svelte component may render itself (a tree view): that is recursion, not a cycle between modules.
      from: { path: '^src/', pathNot: '\\.svelte$' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist[^/]*|circuits/build|static-twins|scripts/lint/fixture)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.svelte', '.json'] },
  },
};
