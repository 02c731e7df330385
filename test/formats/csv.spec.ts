import { createCsvEncoder } from '../../src/formats/csv';
import type { DataRecord } from '../../src/record';

/** Encodes batches with one encoder, as a sink does, and returns the whole output. */
function encode(batches: readonly (readonly DataRecord[])[], options?: Parameters<typeof createCsvEncoder>[0]): string {
  const encoder = createCsvEncoder(options);
  return batches.map((batch) => encoder.encode(batch)).join('') + encoder.end();
}

describe('createCsvEncoder', () => {
  it('writes a header from the first record’s keys, then one line per record', () => {
    expect(encode([[{ id: 'cst_1', company: 'Test Company BV' }, { id: 'cst_2', company: 'Smit' }]])).toBe(
      'id,company\ncst_1,Test Company BV\ncst_2,Smit\n',
    );
  });

  it('writes the header once across batches, and keeps the first record’s columns', () => {
    expect(encode([[{ a: 1, b: 2 }], [], [{ b: 4, a: 3, c: 5 }], [{ a: 6 }]])).toBe('a,b\n1,2\n3,4\n6,\n');
  });

  it('uses explicit columns, in their order, and ignores other fields', () => {
    expect(encode([[{ id: 1, company: 'X', extra: true }]], { columns: ['company', 'id', 'city'] })).toBe('company,id,city\nX,1,\n');
  });

  it('writes nested values as JSON text', () => {
    const record = { groups: ['cug_1', 'cug_2'], address: { city: 'Utrecht', zip: null }, empty: [] };
    expect(encode([[record]])).toBe('groups,address,empty\n"[""cug_1"",""cug_2""]","{""city"":""Utrecht"",""zip"":null}",[]\n');
  });

  it('writes booleans as true/false, numbers as they are, null and missing values as empty', () => {
    expect(encode([[{ a: true, b: false, c: 0, d: null, e: undefined, f: 1.5, g: '' }, { a: false }]])).toBe(
      'a,b,c,d,e,f,g\ntrue,false,0,,,1.5,\nfalse,,,,,,\n',
    );
  });

  it('keeps date strings exactly as they came', () => {
    expect(encode([[{ createdAt: '2024-04-28T21:00:00+02:00' }]])).toBe('createdAt\n2024-04-28T21:00:00+02:00\n');
  });

  it('writes Date objects from code as ISO text, not epoch milliseconds', () => {
    expect(encode([[{ at: new Date(Date.UTC(2024, 3, 28, 19)) }]])).toBe('at\n2024-04-28T19:00:00.000Z\n');
  });

  it.each([
    ['a comma', 'Café \'t Hoekje, Utrecht', '"Café \'t Hoekje, Utrecht"'],
    ['double quotes', 'Bakkerij "De Korenschoof"', '"Bakkerij ""De Korenschoof"""'],
    ['a newline', 'Teststreet 1\nunit B', '"Teststreet 1\nunit B"'],
    ['a carriage return', 'line\r\nnext', '"line\r\nnext"'],
    ['non-ASCII', 'Müller Großhandel — ’s-Hertogenbosch 🚚', 'Müller Großhandel — ’s-Hertogenbosch 🚚'],
    ['leading spaces', '  spaced', '  spaced'],
  ])('quotes only where needed: %s', (_name, value, cell) => {
    expect(encode([[{ id: 1, value }]])).toBe(`id,value\n1,${cell}\n`);
  });

  it('quotes header names that need it', () => {
    expect(encode([[{ 'company, name': 'X', 'say "hi"': 'Y' }]])).toBe('"company, name","say ""hi"""\nX,Y\n');
  });

  it('writes only the header for an empty export with columns', () => {
    expect(encode([], { columns: ['id', 'company'] })).toBe('id,company\n');
    expect(encode([[], []], { columns: ['id', 'company'] })).toBe('id,company\n');
  });

  it('writes nothing for an empty export without columns', () => {
    expect(encode([[]])).toBe('');
  });

  it('does not repeat the header at the end of a non-empty export', () => {
    const encoder = createCsvEncoder({ columns: ['id'] });
    expect(encoder.encode([{ id: 1 }])).toBe('id\n1\n');
    expect(encoder.end()).toBe('');
  });

  describe('escapeFormulas', () => {
    const record = { id: 'cst_1', name: '=HYPERLINK("http://evil")', note: '@SUM(A1)', phone: '+312012345678', other: '-5', plain: 'ok' };

    it('prefixes a quote to cells that start a formula, in the named columns only', () => {
      expect(encode([[record]], { escapeFormulas: ['name', 'note', 'other', 'plain'] })).toBe(
        'id,name,note,phone,other,plain\ncst_1,"\'=HYPERLINK(""http://evil"")",\'@SUM(A1),+312012345678,\'-5,ok\n',
      );
    });

    it('leaves every cell alone when no column is named, so phone numbers stay intact', () => {
      expect(encode([[record]])).toBe('id,name,note,phone,other,plain\ncst_1,"=HYPERLINK(""http://evil"")",@SUM(A1),+312012345678,-5,ok\n');
    });

    it('escapes tab and carriage-return starts too, and never the header', () => {
      expect(encode([[{ '=name': '\tcmd', n: '\rcmd' }]], { escapeFormulas: ['=name', 'n'] })).toBe('=name,n\n\'\tcmd,"\'\rcmd"\n');
    });

    it('applies to explicit columns as well', () => {
      expect(encode([[record]], { columns: ['phone', 'name'], escapeFormulas: ['name'] })).toBe('phone,name\n+312012345678,"\'=HYPERLINK(""http://evil"")"\n');
    });
  });
});
