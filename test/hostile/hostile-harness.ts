import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { type ApiServer, type Shape, startApiServer } from '../helpers/api-server';
import { type CliRun, runCli } from '../helpers/run-cli';
import { createTmpDir } from '../helpers/tmp-dir';

/**
 * The secrets every hostile run is configured with, from the environment as a user would: a bearer
 * token, an API key in the URL, a custom header. Each has characters that change under URL encoding.
 */
export const SECRETS = {
  HOSTILE_TOKEN: 'tok_Hostile/Secret+1=live',
  HOSTILE_KEY: 'key_p@ss/w+rd=9 x',
  HOSTILE_HEADER: 'hdr-sEcret:value/42',
} as const;

/** Every form a secret must never be printed in. */
export function forbiddenForms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+'), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
}

/** What a hostile case expects: every record exported exactly, or a failure (exit 1) whose error line matches. */
export type HostileOutcome = { readonly records: readonly unknown[] } | { readonly error: RegExp };

export interface HostileCase {
  readonly name: string;
  /** What the hostile server answers; `secrets` lets it echo ours back. */
  readonly serve: (secrets: typeof SECRETS) => Shape;
  /** Merged into the pipeline's source. `url` is relative to the server (`/items?…`), or absolute with `${API_HOST}` for its host. */
  readonly source?: Record<string, unknown>;
  /** More environment variables (more secrets, referred to from `source`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Values the server makes up that must never be printed either (a signature in its links). */
  readonly serverSecrets?: readonly string[];
  readonly outcome: HostileOutcome;
  /** Extra checks on each run (two per case: text logs, JSON logs). */
  readonly check?: (run: HostileRun) => void;
}

export interface HostileRun extends CliRun {
  readonly format: 'text' | 'json';
  readonly summary: Record<string, unknown>;
  readonly summaryText: string;
  readonly api: ApiServer;
}

const PREVIOUS_OUTPUT = 'id,name\nprevious,export\n';
const PREVIOUS_MODE = 0o600;

/**
 * Runs a case the way users run pageflow: the built CLI on a pipeline file, against the hostile server,
 * twice (text logs and JSON logs, both with `-v` and `--summary-json`), over a previous output of mode
 * 0600. Checks what every case must hold and returns the runs for the case's own checks.
 */
export async function runHostileCase(hostile: HostileCase): Promise<HostileRun[]> {
  const api = await startApiServer(hostile.serve(SECRETS));
  const dir = await createTmpDir('pageflow-hostile-');
  try {
    const { url = '/items', ...source } = hostile.source ?? {};
    const pipeline = {
      name: `hostile-${hostile.name.replace(/\W+/g, '-')}`,
      source: {
        type: 'http',
        url: `${String(url).startsWith('/') ? '${API}' : ''}${String(url)}${String(url).includes('?') ? '&' : '?'}api_key=\${HOSTILE_KEY}`,
        auth: { type: 'bearer', token: '${HOSTILE_TOKEN}' },
        headers: { 'X-Client-Secret': '${HOSTILE_HEADER}' },
        retry: { attempts: 2, baseDelay: '10ms', maxDelay: '20ms', maxRetryAfter: '200ms', maxThrottled: 2 },
        ...source,
      },
      sinks: [{ type: 'file', path: 'out/export.csv' }],
    };
    await writeFile(dir.resolve('pipeline.yaml'), stringify(pipeline));
    const runs: HostileRun[] = [];
    for (const format of ['text', 'json'] as const) {
      const output = dir.resolve('out', 'export.csv');
      await mkdir(dir.resolve('out'), { recursive: true });
      await writeFile(output, PREVIOUS_OUTPUT);
      await chmod(output, PREVIOUS_MODE);
      const run = await runCli(['-v', '--log-format', format, 'run', 'pipeline.yaml', '--summary-json', 'summary.json'], {
        cwd: dir.path,
        env: { API: api.origin, API_HOST: new URL(api.origin).host, ...SECRETS, ...hostile.env },
        timeoutMs: 30_000,
      });
      const summaryText = await readFile(dir.resolve('summary.json'), 'utf8');
      const hostileRun: HostileRun = { ...run, format, summary: JSON.parse(summaryText) as Record<string, unknown>, summaryText, api };
      runs.push(hostileRun);

      // Exactly the records, or a failure that names its cause and leaves the previous output as it was.
      if ('records' in hostile.outcome) {
        expect({ exitCode: run.exitCode, stderr: run.stderr }).toEqual({ exitCode: 0, stderr: expect.any(String) });
        const lines = (await readFile(output, 'utf8')).trimEnd().split('\n');
        expect(lines.slice(1)).toEqual(hostile.outcome.records.map(String));
      } else {
        expect({ exitCode: run.exitCode, error: errorLine(hostileRun) }).toEqual({ exitCode: 1, error: expect.stringMatching(hostile.outcome.error) });
        expect(await readFile(output, 'utf8')).toBe(PREVIOUS_OUTPUT);
        expect((await stat(output)).mode & 0o777).toBe(PREVIOUS_MODE);
      }
      expect((await readdir(dir.resolve('out'))).sort()).toEqual(['export.csv']);

      // No secret, in any form, anywhere the run printed or wrote about itself.
      const printed = { stdout: run.stdout, stderr: run.stderr, summary: summaryText };
      for (const secret of [...Object.values(SECRETS), ...Object.values(hostile.env ?? {}), ...(hostile.serverSecrets ?? [])]) {
        for (const form of forbiddenForms(secret)) {
          for (const [where, text] of Object.entries(printed)) expect({ where, form, leaked: text.includes(form) }).toEqual({ where, form, leaked: false });
        }
      }
      if (format === 'json') for (const line of run.stderr.trimEnd().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      hostile.check?.(hostileRun);
    }
    return runs;
  } finally {
    await api.close();
    await dir.remove();
  }
}

/** The run's error line (text or JSON logs). */
export function errorLine(run: Pick<HostileRun, 'stderr' | 'format'>): string {
  const lines = run.stderr.trimEnd().split('\n');
  if (run.format === 'text') return lines.filter((line) => line.startsWith('error: ')).map((line) => line.slice('error: '.length)).join('\n');
  return lines
    .map((line) => JSON.parse(line) as { level: string; message: string })
    .filter((line) => line.level === 'error')
    .map((line) => line.message)
    .join('\n');
}

/** The log lines of a run at `level`, as messages. */
export function logMessages(run: Pick<HostileRun, 'stderr' | 'format'>, level: string): string[] {
  const lines = run.stderr.trimEnd().split('\n');
  if (run.format === 'text') return lines.filter((line) => line.startsWith(`${level}: `)).map((line) => line.slice(level.length + 2));
  return lines.map((line) => JSON.parse(line) as { level: string; message: string }).filter((line) => line.level === level).map((line) => line.message);
}
