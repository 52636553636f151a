// Valibot's issues in the project's words: "<json path> <what is wrong>", one line per problem, so an error message can
// list every problem in untrusted JSON at once and the reader knows which field to fix.
import type * as v from 'valibot';

type AnyIssue = v.BaseIssue<unknown>;

/** `a.b[2].c` for an issue's path; '' at the top level. */
export function issuePath(issue: AnyIssue): string {
  let at = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') at += `[${key}]`;
    else at += at === '' ? String(key) : `.${String(key)}`;
  }
  return at;
}

/**
 * One sentence fragment per problem. A message written in a schema (v.string('must be …')) is used as it is; valibot's
 * own ("Invalid type: Expected …") becomes "must be …" / "is missing" / "unknown field".
 */
export function issueLines(issues: readonly AnyIssue[], top = 'the value'): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const at = issuePath(issue);
    const where = at === '' ? top : at;
    if (issue.type === 'strict_object' && issue.expected === 'never') lines.push(`unknown field "${at}"`);
    else if (isObjectType(issue.type) && issue.received === 'undefined' && issue.expected?.startsWith('"')) lines.push(`${where} is missing`);
    else if (issue.message.startsWith('Invalid ')) lines.push(`${where} must be ${expectedWords(issue.expected)}`);
    else lines.push(`${where} ${issue.message}`);
  }
  return lines;
}

const isObjectType = (type: string) => type === 'object' || type === 'strict_object' || type === 'loose_object' || type === 'object_with_rest';

function expectedWords(expected: string | null): string {
  switch (expected) {
    case 'Object':
      return 'a JSON object';
    case 'Array':
      return 'an array';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case null:
      return 'valid';
    default:
      return `one of ${expected.replaceAll(' | ', ', ')}`;
  }
}
