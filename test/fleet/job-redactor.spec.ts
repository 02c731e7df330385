import { jobRedactor, oneLine, redactingLogger } from '../../src/fleet/job-redactor';

describe('jobRedactor', () => {
  const secret = 'tok/1+x=y z';
  const redact = jobRedactor([secret, 'acme']);

  it.each([
    { name: 'plain', form: secret, text: `the secret ${secret} here` },
    { name: 'URL-encoded', form: encodeURIComponent(secret), text: `?api_key=${encodeURIComponent(secret)}&page=2` },
    { name: 'base64', form: Buffer.from(secret).toString('base64'), text: `Authorization: Basic ${Buffer.from(secret).toString('base64')}` },
    { name: 'base64url', form: Buffer.from(secret).toString('base64url'), text: `jwt.${Buffer.from(secret).toString('base64url')}.sig` },
  ])('replaces the $name form', ({ form, text }) => {
    expect(redact(text)).toBe(text.replace(form, '***'));
  });

  it('leaves other text alone and ignores very short secrets', () => {
    expect(jobRedactor(['ab'])('tab table')).toBe('tab table');
    expect(redact('nothing to hide')).toBe('nothing to hide');
  });
});

describe('redactingLogger', () => {
  it('redacts the message and string fields, then adds the prefix', () => {
    const lines: unknown[] = [];
    const logger = redactingLogger({ log: (...args) => lines.push(args) }, jobRedactor(['secret-value']), 'job 1: ');
    logger.log('warn', 'got secret-value', { url: 'https://x/?k=secret-value', status: 500 });
    expect(lines).toEqual([['warn', 'job 1: got ***', { url: 'https://x/?k=***', status: 500 }]]);
  });
});

describe('oneLine', () => {
  it('joins the lines of a message with "; "', () => {
    expect(oneLine('file.yaml: 2 problems\n  3:1 a: bad\n  4:2 b: worse\n')).toBe('file.yaml: 2 problems; 3:1 a: bad; 4:2 b: worse');
  });
});
