/** One line of `pageflow check`'s checklist. */
export interface CheckResult {
  readonly ok: boolean;
  /** What was checked: `API`, `records`, `sink file:out/customers.csv`. */
  readonly subject: string;
  /** What was found, or why it failed. */
  readonly detail: string;
}

export const passed = (subject: string, detail: string): CheckResult => ({ ok: true, subject, detail });
export const failed = (subject: string, detail: string): CheckResult => ({ ok: false, subject, detail });

/** The name of a probe object or file: nothing a run writes has it, and two checks never share one. */
export const probeName = () => `.pageflow-check-${process.pid}-${Date.now().toString(36)}`;

/** The fixed part of an output path or key before its first placeholder's folder: where the probe goes. */
export function fixedFolder(template: string): string {
  const fixed = template.split('{')[0];
  return fixed.includes('/') ? fixed.slice(0, fixed.lastIndexOf('/') + 1) : '';
}
