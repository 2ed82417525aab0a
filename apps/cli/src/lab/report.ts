/**
 * A lab's check results as text (a learner reads it), JSON and JUnit XML (a learning platform or CI reads
 * them).
 */
import type { CheckResult } from './checks';
import type { LabDef } from './spec';

export function formatText(def: LabDef, results: CheckResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  let s = `lab ${def.name}: ${def.title}\n`;
  for (const r of results) {
    s += `  ${r.passed ? 'PASS' : 'FAIL'}  ${r.id}. ${r.name}\n`;
    s += `        ${r.why}\n`;
  }
  s +=
    passed === results.length
      ? `All ${results.length} checks passed.\n`
      : `${passed} of ${results.length} checks passed.\n`;
  return s;
}

export function formatJson(def: LabDef, results: CheckResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  return (
    JSON.stringify(
      {
        lab: def.name,
        title: def.title,
        file: def.file,
        passed: passed === results.length,
        total: results.length,
        passedCount: passed,
        failedCount: results.length - passed,
        checks: results.map((r) => ({ id: r.id, name: r.name, passed: r.passed, why: r.why })),
      },
      null,
      2,
    ) + '\n'
  );
}

function xml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .split('')
    .filter((c) => xmlChar(c.charCodeAt(0)))
    .join('');
}

/** XML 1.0 allows tab, newline, carriage return and the rest from space up (no other control characters). */
function xmlChar(code: number): boolean {
  return code === 9 || code === 10 || code === 13 || (code >= 0x20 && code !== 0xfffe && code !== 0xffff);
}

/** JUnit XML as Jenkins, GitLab and most learning platforms read it: one testcase per check. */
export function formatJunit(def: LabDef, results: CheckResult[], timestamp = new Date()): string {
  const failures = results.filter((r) => !r.passed).length;
  const suite = `skblab.lab.${def.name}`;
  let s = '<?xml version="1.0" encoding="UTF-8"?>\n';
  s += `<testsuites name="skblab lab" tests="${results.length}" failures="${failures}" errors="0">\n`;
  s +=
    `  <testsuite name="${xml(suite)}" tests="${results.length}" failures="${failures}" errors="0" ` +
    `skipped="0" timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, '')}">\n`;
  s += `    <properties>\n      <property name="title" value="${xml(def.title)}"/>\n    </properties>\n`;
  for (const r of results) {
    s += `    <testcase classname="${xml(suite)}" name="${xml(`${r.id}. ${r.name}`)}">\n`;
    if (r.passed) s += `      <system-out>${xml(r.why)}</system-out>\n`;
    else s += `      <failure message="${xml(r.why)}" type="check">${xml(r.why)}</failure>\n`;
    s += '    </testcase>\n';
  }
  s += '  </testsuite>\n</testsuites>\n';
  return s;
}
