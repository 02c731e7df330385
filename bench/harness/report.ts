import type { Mode } from './bench-case';
import type { CaseResult, SubjectResult } from './run-case';
import type { Summary } from './summary';

const MODE_NAMES: Record<Mode, string> = { 'whole-process': 'whole process', 'in-process': 'in process' };

/** The results as a Markdown table: per case and mode, the ideal (if any), the reference, the dependency floor (if any), then each checkout's pageflow. */
export function resultsTable(results: readonly CaseResult[]): string {
  const lines = ['| Case | Mode | Run | Median | Min – max | × reference | Peak RSS | Notes |', '| --- | --- | --- | ---: | ---: | ---: | ---: | --- |'];
  for (const result of results) {
    const { bench, context } = result;
    let caseCell = `**${bench.name}** ${bench.title(context)}`;
    for (const { mode, results: subjects } of result.modes) {
      let modeCell = MODE_NAMES[mode];
      const row = (cells: string[]) => {
        lines.push(`| ${[caseCell, modeCell, ...cells].join(' | ')} |`);
        caseCell = '';
        modeCell = '';
      };
      const ideal = bench.ideal?.(context);
      if (ideal) row([`ideal: ${ideal.formula}`, seconds(ideal.ms), '', '', '', '']);
      const reference = subjects.find((subject) => subject.subject.role === 'reference');
      for (const subject of subjects) {
        const { summary } = subject;
        const notes: string[] = [];
        if (subject.subject.variant) notes.push(subject.subject.variant);
        if (subject.identical !== undefined && subject !== reference) notes.push(subject.identical ? 'output byte-identical' : '**output DIFFERS**');
        if (ideal) notes.push(`${ratio(summary.wallMs.median / ideal.ms)} ideal`);
        if (subject.subject.role === 'pageflow') notes.push(...pageflowNotes(results, result, mode, subject, reference?.summary));
        if (subject.subject.role === 'floor') notes.push('axios (and csv-stringify for CSV) used their fastest way: bench/dependency-floor.ts');
        row([
          subject.subject.label,
          seconds(summary.wallMs.median),
          `${seconds(summary.wallMs.min)} – ${seconds(summary.wallMs.max)}`,
          referenceRatio(subject, reference),
          `${Math.round(summary.peakRssMiB.median)} MiB${summary.runs > 1 ? ` (max ${Math.round(summary.peakRssMiB.max)})` : ''}`,
          notes.filter(Boolean).join('; '),
        ]);
      }
    }
  }
  return lines.join('\n');
}

function pageflowNotes(results: readonly CaseResult[], result: CaseResult, mode: Mode, subject: SubjectResult, reference: Summary | undefined): string[] {
  const notes: string[] = [];
  const own = subject.summary.wallMs.median;
  const { bench } = result;
  const checkoutId = subject.subject.checkout?.id;
  const modeResults = result.modes.find((entry) => entry.mode === mode)?.results ?? [];
  const floor = modeResults.find((entry) => entry.subject.role === 'floor');
  if (floor) notes.push(`${ratio(own / floor.summary.wallMs.median)} dependency floor`);
  if (bench.relativeTo) {
    const other = pageflowOf(results, bench.relativeTo, mode, checkoutId);
    if (other) notes.push(`${ratio(own / other.summary.wallMs.median)} ${bench.relativeTo}`);
  }
  // This worktree's row says how it compares with each --compare checkout measured beside it.
  if (subject === modeResults.find((entry) => entry.subject.role === 'pageflow')) {
    for (const other of modeResults.filter((entry) => entry.subject.role === 'pageflow' && entry !== subject)) {
      notes.push(`${ratio(own / other.summary.wallMs.median)} ${other.subject.label}`);
    }
  }
  if (bench.note) notes.push(bench.note({ context: result.context, mode, pageflow: subject.summary, reference }));
  return notes;
}

function pageflowOf(results: readonly CaseResult[], name: string, mode: Mode, checkoutId: string | undefined): SubjectResult | undefined {
  const modeResults = results.find((result) => result.bench.name === name)?.modes.find((entry) => entry.mode === mode)?.results ?? [];
  return modeResults.find((entry) => entry.subject.role === 'pageflow' && entry.subject.checkout?.id === checkoutId);
}

function referenceRatio(subject: SubjectResult, reference: SubjectResult | undefined): string {
  if (!reference) return '';
  if (subject === reference) return '1.00';
  const pairs = subject.pairRatios ?? [];
  const range = pairs.length > 1 ? ` (${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)})` : '';
  return `${ratio(subject.summary.wallMs.median / reference.summary.wallMs.median)}${range}`;
}

function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 1000 ? 3 : 2)} s`;
}

/** The `--compare` checkouts that could not run a case. */
export function skippedSubjects(results: readonly CaseResult[]): string[] {
  return results.flatMap((result) => result.skipped);
}

/** Every case's pageflow outputs that did not match the reference's bytes. */
export function outputMismatches(results: readonly CaseResult[]): string[] {
  return results.flatMap(({ bench, modes }) =>
    modes.flatMap(({ mode, results: subjects }) =>
      subjects.filter((subject) => subject.identical === false).map((subject) => `${bench.name} (${MODE_NAMES[mode]}): ${subject.subject.label}`),
    ),
  );
}
