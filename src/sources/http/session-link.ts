import type { HttpSession } from './http-session';

/** A step's hold on the source's session: the connections stay open until it is released. */
export interface SessionLease {
  readonly session: HttpSession;
  release(): void;
}

/**
 * The HTTP session of the pipeline's source while it runs, for the steps that make requests of their
 * own (`request`): they share its clients, auth, retry policy and rate gate, so one credential has
 * one budget and one token. The source attaches its session when it starts; its connections are
 * closed once the source ended and every lease was released (child requests outlive the last page).
 */
export class SessionLink {
  private session?: HttpSession;
  private users = 0;
  private sourceDone = false;
  private close: () => void = () => {};

  /** Returns what the source calls when it ended. */
  attach(session: HttpSession, close: () => void): () => void {
    this.session = session;
    this.users = 0;
    this.sourceDone = false;
    this.close = close;
    return () => {
      this.sourceDone = true;
      this.closeIfUnused();
    };
  }

  /** The running source's session, held open until `release`; undefined when no HTTP source runs. */
  lease(): SessionLease | undefined {
    const { session } = this;
    if (!session) return undefined;
    this.users += 1;
    let released = false;
    return {
      session,
      release: () => {
        if (released) return;
        released = true;
        this.users -= 1;
        this.closeIfUnused();
      },
    };
  }

  private closeIfUnused(): void {
    if (!this.sourceDone || this.users > 0 || !this.session) return;
    this.session = undefined;
    this.close();
  }
}
