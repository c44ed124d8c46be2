/**
 * The YAML writer on the shapes that trip YAML up. (promtool reading the rendered rule and test files, and
 * comparing annotations exactly, is the round trip; these pin the quoting decisions.)
 */
import { toYaml } from '../../alerts/yaml';

test('plain where unambiguous, JSON-quoted otherwise', () => {
  expect(
    toYaml({
      plain: 'GatewayDown',
      record: 'job:gateway_api_errors:ratio_rate5m',
      url: 'https://example.com/a/b.md',
      colonSpace: 'a: b',
      hash: 'x #y',
      template: '{{ $labels.job }} is down',
      boolish: 'true',
      numberish: '1.5',
      durationLike: '5m',
      empty: '',
      leadingSpace: ' x',
      number: 0.25,
      flag: false,
    }),
  ).toBe(
    [
      'plain: GatewayDown',
      'record: job:gateway_api_errors:ratio_rate5m',
      'url: https://example.com/a/b.md',
      'colonSpace: "a: b"',
      'hash: "x #y"',
      'template: "{{ $labels.job }} is down"',
      'boolish: "true"',
      'numberish: "1.5"',
      'durationLike: 5m',
      'empty: ""',
      'leadingSpace: " x"',
      'number: 0.25',
      'flag: false',
      '',
    ].join('\n'),
  );
});

test('multi-line strings become literal blocks unless whitespace would be lost', () => {
  expect(toYaml({ expr: 'a\n/\nb', trailing: 'a \nb', indented: '  a\nb' })).toBe('expr: |-\n  a\n  /\n  b\ntrailing: "a \\nb"\nindented: "  a\\nb"\n');
});

test('sequences of mappings, nested sequences, empty collections, undefined keys skipped, header comment', () => {
  expect(toYaml({ groups: [{ name: 'g', rules: [{ alert: 'A', labels: { severity: 'critical' } }], none: [] }], skip: undefined, empty: {} }, 'Generated.\nDo not edit.')).toBe(
    ['# Generated.', '# Do not edit.', 'groups:', '  - name: g', '    rules:', '      - alert: A', '        labels:', '          severity: critical', '    none: []', 'empty: {}', ''].join('\n'),
  );
});

test('refuses values YAML cannot hold', () => {
  expect(() => toYaml({ n: NaN })).toThrow(/NaN/);
  expect(() => toYaml({ f: () => 1 })).toThrow(/function/);
});
