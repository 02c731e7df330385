import type { Task } from '../harness/bench-case';
import { dependencyFloor } from '../dependency-floor';
import type { SpeedOfLightOptions } from '../speed-of-light';

/** The dependency floor in-process: the same function its command line calls. */
export const task: Task<SpeedOfLightOptions> = async (options) => async () => ({ records: await dependencyFloor(options) });
