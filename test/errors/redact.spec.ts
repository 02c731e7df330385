import { isCredentialName, Redactor, redact, redactingLogger, sanitizeText, secretForms } from '../../src/errors/redact';

const SECRET = 'p@ss/w+rd secret';

describe('Redactor', () => {
  const redactor = new Redactor([SECRET]);

  it.each([
    ['plain', SECRET],
    ['percent-encoded', encodeURIComponent(SECRET)],
    ['percent-encoded, lower-case hex', encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())],
    ['form-encoded (+ for space)', encodeURIComponent(SECRET).replace(/%20/g, '+')],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
  ])('replaces the %s form', (_form, text) => {
    expect(redactor.redact(`before ${text} after`)).toBe('before *** after');
  });

  it.each([0, 1, 2, 5])('finds the secret inside a longer base64 value (%i bytes before it)', (before) => {
    const encoded = Buffer.from(`${'u'.repeat(before)}:${SECRET}:tail`).toString('base64');
    const redacted = redactor.redact(`Authorization: Basic ${encoded}`);
    expect(redacted).toContain('***');
    // What is left is too little to decode the secret back.
    expect(Buffer.from(redacted.replace('Authorization: Basic ', '').replace('***', ''), 'base64').toString()).not.toContain('ss/w+rd');
  });

  it('ignores values too short to be told apart from ordinary text', () => {
    expect(new Redactor(['abc', '']).redact('abc abc')).toBe('abc abc');
  });

  it('redacts secrets added later (a token fetched while running)', () => {
    const later = new Redactor();
    expect(later.redact('token tok_live_123456')).toBe('token tok_live_123456');
    later.add('tok_live_123456');
    expect(later.redact('token tok_live_123456')).toBe('token ***');
  });

  it('prefers the longest match, so no part of a longer form is left', () => {
    const both = new Redactor(['abcd', 'abcdefgh']);
    expect(both.redact('abcdefgh')).toBe('***');
  });

  it('sanitises URLs even with no secret known', () => {
    expect(new Redactor().redact('https://svc:hunter2@api.example.com/items?page=2&access_token=tok&X-Amz-Signature=abc123')).toBe(
      'https://api.example.com/items?page=2&access_token=***&X-Amz-Signature=***',
    );
  });

  it('redact(text, secrets) is a one-off Redactor', () => {
    expect(redact(`x ${SECRET}`, [SECRET])).toBe('x ***');
  });
});

describe('sanitizeText', () => {
  it.each([
    ['userinfo', 'see https://svc:pw@host.example/x', 'see https://host.example/x'],
    ['userinfo with a raw @ in the password', 'https://svc:p@ss@host.example/x', 'https://host.example/x'],
    ['user name only', 'https://token123@host.example/', 'https://host.example/'],
    ['an e-mail in a query is not userinfo', 'https://host.example?email=a@b.nl', 'https://host.example?email=a@b.nl'],
    ['access_token', '/v1/items?access_token=abc&page=2', '/v1/items?access_token=***&page=2'],
    ['api_key and apiKey', '?api_key=1234&apiKey=5678', '?api_key=***&apiKey=***'],
    ['auth and sig', 'https://h.example/?auth=abcd&sig=ef01', 'https://h.example/?auth=***&sig=***'],
    ['AWS presigned URL', '?X-Amz-Credential=AKIA%2F20261201&X-Amz-Security-Token=FQoG&X-Amz-Signature=3f9a', '?X-Amz-Credential=***&X-Amz-Security-Token=***&X-Amz-Signature=***'],
    ['an encoded parameter name', '?access%5Ftoken=abc', '?access%5Ftoken=***'],
    ['ordinary parameters stay', '?page=2&per_page=100&cursor=eyJpZCI6MTV9&author=me', '?page=2&per_page=100&cursor=eyJpZCI6MTV9&author=me'],
    ['credential-looking JSON members', '{"access_token":"abc","message":"no"}', '{"access_token":"***","message":"no"}'],
  ])('%s', (_name, text, expected) => {
    expect(sanitizeText(text)).toBe(expected);
  });
});

describe('isCredentialName', () => {
  it.each(['access_token', 'api_key', 'apiKey', 'APIKEY', 'X-Amz-Signature', 'sig', 'auth', 'client_secret', 'password', 'sessionId', 'X-Api-Key'])('%s is a credential', (name) => {
    expect(isCredentialName(name)).toBe(true);
  });

  it.each(['page', 'per_page', 'cursor', 'author', 'keyword', 'monkey', 'starting_after', 'offset', 'sort'])('%s is not', (name) => {
    expect(isCredentialName(name)).toBe(false);
  });
});

describe('secretForms', () => {
  it('lists each form once', () => {
    const forms = secretForms('plain-token-123');
    expect(new Set(forms).size).toBe(forms.length);
    expect(forms).toContain('plain-token-123');
  });
});

describe('redactingLogger', () => {
  it('redacts the message and each text field', () => {
    const lines: unknown[] = [];
    const logger = redactingLogger({ log: (...line) => lines.push(line) }, new Redactor(['tok_secret_1']));
    logger.log('warn', 'failed with tok_secret_1', { url: 'https://h.example/?token=tok_secret_1', status: 500 });
    expect(lines).toEqual([['warn', 'failed with ***', { url: 'https://h.example/?token=***', status: 500 }]]);
  });
});
