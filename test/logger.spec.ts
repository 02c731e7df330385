import { createStderrLogger } from '../src/logger';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (text: string) => lines.push(text) } };
}

describe('createStderrLogger', () => {
  it('writes text lines with the fields the message does not already spell out', () => {
    const { lines, stream } = capture();
    const logger = createStderrLogger({ stream });

    logger.log('warn', 'page 2 (http://api/x?page=2): HTTP 429: throttled, waiting 1s', { url: 'http://api/x?page=2', status: 429, delayMs: 1000 });
    logger.log('info', 'done', { records: 3 });

    expect(lines).toEqual(['warn: page 2 (http://api/x?page=2): HTTP 429: throttled, waiting 1s (delayMs=1000)\n', 'info: done (records=3)\n']);
  });

  it('writes one JSON object per line with every field', () => {
    const { lines, stream } = capture();
    const logger = createStderrLogger({ stream, format: 'json' });

    logger.log('error', 'page 3 (http://api/x?page=3): HTTP 403', { url: 'http://api/x?page=3', status: 403 });

    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0])).toEqual({ time: expect.any(String), level: 'error', message: 'page 3 (http://api/x?page=3): HTTP 403', url: 'http://api/x?page=3', status: 403 });
  });

  it('drops lines below its level', () => {
    const { lines, stream } = capture();
    const logger = createStderrLogger({ stream, level: 'warn' });

    logger.log('debug', 'a');
    logger.log('info', 'b');
    logger.log('warn', 'c');
    logger.log('error', 'd');

    expect(lines).toEqual(['warn: c\n', 'error: d\n']);
  });

  it('colours the level for a terminal', () => {
    const { lines, stream } = capture();

    createStderrLogger({ stream, color: true }).log('error', 'boom');

    expect(lines).toEqual(['\u001b[31merror\u001b[39m: boom\n']);
  });
});
