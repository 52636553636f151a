// `twingrain twin validate <dir>`: checks the twin against Definitions 1–4 and that every granule packs.
// Valid: {"twin","valid":true,"domains","contexts","granules":[{context,name,alpha}],"warnings":[unmet dependencies]}, exit 0.
// Invalid: {"twin","valid":false,"violations":[{definition,element,message}]} on stdout, one line on stderr, exit 1.
import { CliUsageError, type Command } from '../../command';
import { parseFlags, printError, printJson } from '../../output';
import { loadTwinDir } from '../../../lib/twin/source.node.ts';
import { dependencyIssues, packSource, validateTwin, type PackedGranule, type Violation } from '../../../lib/twin/index';
import { GranuleError } from '../../../lib/granule/index';

export const command: Command = {
  summary: 'validate a twin folder against Definitions 1–4',
  usage: 'twingrain twin validate <dir>',
  async run(argv) {
    const { positionals } = parseFlags(argv, {});
    const [dir] = positionals;
    if (!dir || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    const loaded = await loadTwinDir(dir);
    const violations: Violation[] = validateTwin(loaded.twin);
    const granules: { context: string; name: string; alpha: string }[] = [];
    const packed: PackedGranule[] = [];
    for (const [context, source] of loaded.granules) {
      try {
        const g = packSource(context, source);
        granules.push({ context, name: g.manifest.name, alpha: g.alpha });
        packed.push(g);
      } catch (e) {
        if (!(e instanceof GranuleError)) throw e;
        violations.push({ definition: 4, element: `context ${context} (${source.dir})`, message: e.message });
      }
    }
    if (violations.length > 0) {
      printJson({ twin: loaded.twin.id, valid: false, violations });
      printError(new Error(`${dir} is not a valid MVC-DDD twin: ${violations.map((v) => `[Def. ${v.definition}] ${v.element}: ${v.message}`).join('; ')}`));
      return 1;
    }
    const contexts = loaded.twin.domains.reduce((n, d) => n + d.contexts.length, 0);
    // Unmet granule dependencies do not break Definitions 1–4; they are reported as warnings.
    const warnings = dependencyIssues(packed).map((i) => `context ${i.context}: ${i.message}`);
    printJson({ twin: loaded.twin.id, valid: true, domains: loaded.twin.domains.map((d) => d.name), contexts, granules, warnings });
    return 0;
  },
};
