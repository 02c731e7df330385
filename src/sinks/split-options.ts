import { z } from 'zod';
import { parseByteSize } from './byte-size';
import { describeUnknownPlaceholders } from './output-path';
import type { SplitSettings } from './output-sink';

const DEFAULT_MAX_OPEN_PARTITIONS = 32;

/** The options of sinks whose outputs are named by a path template: files and S3 objects. */
export const splitOptionFields = {
  maxRecords: z.int().min(1).optional().meta({ description: 'Start a new part ({part} in the path) after this many records.', examples: [500000] }),
  maxBytes: z
    .union([z.int().min(1), z.string()])
    .optional()
    .meta({
      description:
        'Start a new part ({part} in the path) once a part has this many bytes (written bytes: compressed for .gz), in bytes or with a unit (KiB, MiB, GiB). A part ends at the first write that reaches it, so it may pass it by up to one batch.',
      examples: ['256MiB'],
    }),
  maxOpenPartitions: z
    .int()
    .min(1)
    .optional()
    .meta({ description: `Outputs open at once with {record.…} in the path; the least recently written is closed first (a later record of it starts a new {part}). Default: ${DEFAULT_MAX_OPEN_PARTITIONS}.` }),
};

type SplitOptions = z.output<z.ZodObject<typeof splitOptionFields>>;

/** A refinement for the path template held in `nameKey` and the split options that depend on it. */
export function checkSplitOptions<T extends SplitOptions>(nameKey: keyof T & string) {
  return (config: T, context: z.RefinementCtx): void => {
    const template = String(config[nameKey]);
    const unknown = describeUnknownPlaceholders(template);
    if (unknown) context.addIssue({ code: 'custom', path: [nameKey], message: unknown });
    const parted = template.includes('{part}');
    for (const key of ['maxRecords', 'maxBytes'] as const) {
      if (config[key] !== undefined && !parted) context.addIssue({ code: 'custom', path: [key], message: `${key} starts new parts: put {part} in ${nameKey} (e.g. part-{part}) to name them` });
    }
    if (config.maxBytes !== undefined && !parseByteSize(config.maxBytes)) {
      context.addIssue({ code: 'custom', path: ['maxBytes'], message: `expected a size such as 256MiB or 268435456, got ${JSON.stringify(config.maxBytes)}` });
    }
  };
}

export function splitSettings(options: Partial<SplitOptions>): SplitSettings {
  const maxBytes = options.maxBytes === undefined ? undefined : parseByteSize(options.maxBytes);
  if (options.maxBytes !== undefined && !maxBytes) throw new RangeError(`maxBytes ${JSON.stringify(options.maxBytes)} is not a size such as 256MiB`);
  return { maxRecords: options.maxRecords, maxBytes, maxOpenPartitions: options.maxOpenPartitions ?? DEFAULT_MAX_OPEN_PARTITIONS };
}
