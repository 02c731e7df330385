const UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, kb: 1024, mib: 1024 ** 2, mb: 1024 ** 2, gib: 1024 ** 3, gb: 1024 ** 3 };

/**
 * Reads a size written as bytes (`8388608`) or with a unit (`8MiB`, `8 MB`). Units are binary, as in
 * S3's own documentation of part sizes: `MB` means MiB. Undefined when it is not a size.
 */
export function parseByteSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  return match && unit !== undefined ? Number(match[1]) * unit : undefined;
}
