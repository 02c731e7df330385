import type { Task } from '../harness/bench-case';
import { speedOfLight, type SpeedOfLightOptions } from '../speed-of-light';

/** The speed-of-light script in-process: the same function its command line calls. */
export const task: Task<SpeedOfLightOptions> = async (options) => async () => ({ records: await speedOfLight(options) });
