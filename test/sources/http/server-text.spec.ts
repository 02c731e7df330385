import { SERVER_TEXT_MAX, serverText } from '../../../src/sources/http/server-text';

describe('serverText', () => {
  it.each([
    ['a newline that would forge a log line', 'ok\nerror: forged', 'ok\\nerror: forged'],
    ['carriage return and tab', 'a\rb\tc', 'a\\rb\\tc'],
    ['an ANSI escape that clears the screen', '\u001b[2J\u001b[H', '\\u001b[2J\\u001b[H'],
    ['an OSC escape that sets the window title', '\u001b]0;pwned\u0007', '\\u001b]0;pwned\\u0007'],
    ['a C1 control (CSI)', 'a\u009b31mb', 'a\\u009b31mb'],
    ['bidi overrides', 'abc\u202edcba', 'abc\\u202edcba'],
    ['plain text and non-ASCII', 'Café ✓ 日本', 'Café ✓ 日本'],
  ])('escapes %s', (_name, text, expected) => {
    expect(serverText(text)).toBe(expected);
  });

  it('cuts long text to a few hundred characters, saying how long it was', () => {
    const text = serverText('x'.repeat(20_000_000));
    expect(text).toBe(`${'x'.repeat(SERVER_TEXT_MAX)}… (20000000 characters)`);
  });

  it('does not cut a character in half', () => {
    const text = serverText(`${'x'.repeat(9)}😀tail`, 10);
    expect(text).toBe(`${'x'.repeat(9)}… (15 characters)`);
  });
});
