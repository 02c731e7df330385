import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set size in MiB. On Linux it is the memory map's high-water mark
 * (`VmHWM`): `process.resourceUsage().maxRSS` of a spawned child also counts the parent's memory
 * at fork time, so a bench parent holding 300 MB of cached pages would show in every child.
 */
export function peakRssMiB(): number {
  if (process.platform === 'linux') {
    const kiB = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kiB) return Number(kiB) / 1024;
  }
  return process.resourceUsage().maxRSS / 1024;
}
