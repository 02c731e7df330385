import { describeSystemError, explainErrorCodes } from '../../src/errors/describe-system-error';

describe('describeSystemError', () => {
  it.each([
    { code: 'ENOENT', text: 'there is no such file or directory (ENOENT)' },
    { code: 'EACCES', text: 'permission denied (EACCES)' },
    { code: 'EEXIST', text: 'it already exists (EEXIST)' },
    { code: 'EISDIR', text: 'it is a directory (EISDIR)' },
    { code: 'ENOTDIR', text: 'a part of the path is not a directory (ENOTDIR)' },
  ])('says $code in words', ({ code, text }) => {
    expect(describeSystemError(Object.assign(new Error(`${code}: raw`), { code }))).toBe(text);
  });

  it('keeps the message of an error without a known code', () => {
    expect(describeSystemError(new Error('disk on fire'))).toBe('disk on fire');
  });
});

describe('explainErrorCodes', () => {
  it.each([
    {
      name: "Node's message with its path",
      message: "[sink:file:out/a.csv] open failed: EEXIST: file already exists, open 'out/.a.csv.1-ab.tmp'",
      explained: "[sink:file:out/a.csv] open failed: it already exists (EEXIST): open 'out/.a.csv.1-ab.tmp'",
    },
    { name: 'a rename with its destination', message: "ENOTDIR: not a directory, rename 'a' -> 'b/c'", explained: "a part of the path is not a directory (ENOTDIR): rename 'a' -> 'b/c'" },
    { name: 'a bare code', message: 'cannot read the directory: ENOENT', explained: 'cannot read the directory: there is no such file or directory (ENOENT)' },
    { name: 'a connection', message: 'connect ECONNREFUSED 127.0.0.1:9', explained: 'connect 127.0.0.1:9: the connection was refused (nothing listens there) (ECONNREFUSED)' },
    {
      name: 'a connection after its own code',
      message: 'bucket check failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9',
      explained: 'bucket check failed: connect 127.0.0.1:9: the connection was refused (nothing listens there) (ECONNREFUSED)',
    },
    { name: 'a host name', message: 'getaddrinfo ENOTFOUND api.example.invalid', explained: 'getaddrinfo api.example.invalid: the host name does not resolve (DNS) (ENOTFOUND)' },
    { name: 'an unknown code', message: 'EWHATEVER happened', explained: 'EWHATEVER happened' },
    { name: 'an explained code, again', message: 'permission denied (EACCES)', explained: 'permission denied (EACCES)' },
  ])('explains $name', ({ message, explained }) => {
    expect(explainErrorCodes(message)).toBe(explained);
  });
});
