import { handleInterrupts } from '../../src/cli/commands/run';
import { InterruptedError } from '../../src/errors/interrupted-error';
import type { LogLevel } from '../../src/logger';

describe('handleInterrupts', () => {
  const logged: [LogLevel, string][] = [];
  const io = { logger: { log: (level: LogLevel, message: string) => logged.push([level, message]) } };
  let exit: jest.SpyInstance;

  beforeEach(() => {
    logged.length = 0;
    jest.useFakeTimers();
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  });
  afterEach(() => {
    exit.mockRestore();
    jest.useRealTimers();
  });

  it('aborts on the first signal, warns on the second, quits on the third', () => {
    const interrupts = handleInterrupts(io);
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(interrupts.signal.aborted).toBe(true);
      expect(interrupts.signal.reason).toBe('SIGINT');

      process.emit('SIGINT', 'SIGINT');
      expect(logged).toEqual([['warn', 'SIGINT again: still rolling the outputs back; a third one quits at once and may leave temporary files behind']]);
      expect(exit).not.toHaveBeenCalled();

      process.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      interrupts.dispose();
    }
  });

  it('gives up waiting for a rollback after its limit, saying so', async () => {
    const interrupts = handleInterrupts(io, 5_000);
    try {
      process.emit('SIGTERM', 'SIGTERM');
      const outcome = interrupts.rollbackDeadline.catch((error: unknown) => error);
      jest.advanceTimersByTime(5_000);

      const error = await outcome;
      expect(error).toBeInstanceOf(InterruptedError);
      expect((error as InterruptedError).message).toBe('interrupted by SIGTERM: stopped fetching; the outputs were not all rolled back within 5s, temporary files may be left');
      expect((error as InterruptedError).exitCode).toBe(143);
    } finally {
      interrupts.dispose();
    }
  });

  it('stops listening once disposed, and never rejects without a signal', () => {
    const before = process.listenerCount('SIGINT');
    const interrupts = handleInterrupts(io);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);

    interrupts.dispose();
    jest.advanceTimersByTime(60_000);

    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(interrupts.signal.aborted).toBe(false);
  });
});
