import type { LockHolder } from '../state/state-store';
import { StateError } from './state-error';

/** Another run holds the state's lock: this one did not start (or, `lost`, had to stop). */
export class StateLockedError extends StateError {
  override name = 'StateLockedError';

  constructor(
    location: string,
    readonly holder: LockHolder,
    message = `locked by pid ${holder.pid} on host ${holder.host} since ${holder.since}: another run of pipeline "${holder.pipeline}" holds it (its lease runs until ${holder.expiresAt}); nothing was fetched or written`,
  ) {
    super(location, message, { code: 'PF_STATE_LOCKED' });
  }
}
