/**
 * Just enough PromQL reading for tests: which metric names an expression selects, which label names its
 * selectors match on, and which labels it aggregates by. Not a parser: promtool checks syntax; this checks
 * that every name is one the metric catalogue defines.
 */

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'inf', 'nan', 'atan2']);

function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

/** Metric names selected by `expr` (identifiers that are not functions, keywords or labels). */
export function metricNames(expr: string): string[] {
  const text = withoutStrings(expr)
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+[0-9a-z$_]+/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = match;
    if (!name || call || KEYWORDS.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

/** For each `metric{…}` selector: the metric and the label names it matches on. */
export function selectorLabels(expr: string): Array<{ metric: string; labels: string[] }> {
  const text = withoutStrings(expr);
  return [...text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)].map(([, metric, body]) => ({
    metric: metric!,
    labels: [...body!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!),
  }));
}

/** Label names in `by (…)`, `without (…)`, `on (…)`, `ignoring (…)` clauses. */
export function groupingLabels(expr: string): string[] {
  const text = withoutStrings(expr);
  return [...text.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)].flatMap(([, list]) =>
    list!
      .split(',')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
}
