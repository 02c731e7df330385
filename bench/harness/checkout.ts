import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { PipelineVariant } from './bench-case';

/** A built pageflow: this worktree, or another checkout given with `--compare`. */
export interface Checkout {
  /** Short name for file names and the table: `pageflow`, `before` … */
  readonly id: string;
  /** The table's label. */
  readonly label: string;
  readonly dir: string;
  /** `dist/cli/main.js`, for whole-process runs. */
  readonly cli: string;
  /** `dist/index.js`, for in-process runs. */
  readonly index: string;
}

export function checkoutAt(dir: string, id: string, label: string): Checkout {
  const root = resolve(dir);
  const cli = join(root, 'dist', 'cli', 'main.js');
  const index = join(root, 'dist', 'index.js');
  if (!existsSync(cli) || !existsSync(index)) throw new Error(`${root} is not a built pageflow checkout: ${cli} or ${index} is missing (run npm ci there)`);
  return { id, label, dir: root, cli, index };
}

export function compareCheckout(dir: string, position: number, count: number): Checkout {
  const name = basename(resolve(dir));
  return checkoutAt(dir, count === 1 ? 'compare' : `compare-${position + 1}`, `pageflow at ${name}`);
}

/**
 * Writes the first variant the checkout accepts to `file` and returns its label, or the reasons each was
 * refused. One variant for this worktree is written as it is (a run that rejects it fails loudly);
 * otherwise each is tried with the checkout's `pageflow validate`.
 */
export async function writeAcceptedVariant(
  checkout: Checkout,
  variants: readonly PipelineVariant[],
  output: string,
  file: string,
  validate: boolean,
): Promise<{ label: string } | { refused: string }> {
  const refused: string[] = [];
  for (const variant of variants) {
    await writeFile(file, stringify(variant.definition(output)));
    if (!validate) return { label: variant.label };
    const validation = spawnSync(process.execPath, [checkout.cli, 'validate', file], { encoding: 'utf8' });
    if (validation.status === 0) return { label: variant.label };
    refused.push(`${variant.label}: ${validation.stderr.trim().split('\n').slice(0, 3).join(' / ')}`);
  }
  return { refused: refused.join('; ') };
}
