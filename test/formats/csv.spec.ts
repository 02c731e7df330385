import { createCsvEncoder } from '../../src/formats/csv';
import { RecordEncodeError } from '../../src/formats/encoder';
import { ExactNumber } from '../../src/json/exact-number';
import type { DataRecord } from '../../src/record';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** Encodes batches with one encoder, as a sink does, and returns the whole output. */
function encode(batches: readonly (readonly DataRecord[])[], options?: Parameters<typeof createCsvEncoder>[0]): string {
  const encoder = createCsvEncoder(options);
  return batches.map((batch) => text(encoder.encode(batch))).join('') + text(encoder.end());
}

const page = (index: number) => ({ describe: (record: number) => `record ${record + 1} of page ${index} (http://api/items?page=${index})` });

describe('createCsvEncoder', () => {
  it('writes a header from the first record’s keys, then one line per record', () => {
    expect(encode([[{ id: 'cst_1', company: 'Test Company BV' }, { id: 'cst_2', company: 'Smit' }]])).toBe(
      'id,company\ncst_1,Test Company BV\ncst_2,Smit\n',
    );
  });

  it('writes the header once across batches, in the columns of the first batch', () => {
    expect(encode([[{ a: 1, b: 2 }], [], [{ b: 4, a: 3 }], [{ a: 6 }]])).toBe('a,b\n1,2\n3,4\n6,\n');
  });

  it('takes the union of the first batch’s keys, in order of first appearance', () => {
    expect(encode([[{ id: 1, name: 'a' }, { id: 2, email: 'b@x' }, { name: 'c', city: 'U' }]])).toBe('id,name,email,city\n1,a,,\n2,,b@x,\n,c,,U\n');
  });

  it('fails on a later record with a key outside the header, naming the key, the record and its page, and suggesting columns:', () => {
    const encoder = createCsvEncoder();
    encoder.encode([{ id: 1, name: 'a' }], page(1));
    let failure: unknown;
    try {
      encoder.encode([{ id: 2, name: 'b' }, { id: 3, name: 'c', email: 'c@x' }], page(2));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(RecordEncodeError);
    expect((failure as Error).message).toBe(
      'record 2 of page 2 (http://api/items?page=2) has a field "email" that is not a column (the columns are the keys of the first page: id, name): list every column under columns:, or set unknownColumns: drop to drop such fields',
    );
  });

  it('drops and counts such fields with unknownColumns: drop', () => {
    const counters = { droppedValues: 0 };
    expect(encode([[{ id: 1 }], [{ id: 2, email: 'x', phone: 'y' }, { id: 3, email: 'z' }]], { unknownColumns: 'drop', counters })).toBe('id\n1\n2\n3\n');
    expect(counters.droppedValues).toBe(3);
  });

  it('gives a valid file when the first record is empty', () => {
    expect(encode([[{}, { id: 1, name: 'a' }]])).toBe('id,name\n,\n1,a\n');
    expect(encode([[{}, {}]])).toBe('');
  });

  it('quotes the empty cells of a one-column file, so no row is a blank line', () => {
    expect(encode([[{ id: 'a' }, { id: '' }, { id: null }]])).toBe('id\na\n""\n""\n');
  });

  it('reads only a record’s own properties: constructor, toString and __proto__ are plain columns', () => {
    const records = [JSON.parse('{"id":1,"constructor":"c","__proto__":"p"}'), { id: 2 }, JSON.parse('{"toString":"t","id":3}')] as DataRecord[];
    expect(encode([records])).toBe('id,constructor,__proto__,toString\n1,c,p,\n2,,,\n3,,,t\n');
    expect(encode([[{ id: 1 }]], { columns: ['id', 'constructor', 'hasOwnProperty'] })).toBe('id,constructor,hasOwnProperty\n1,,\n');
  });

  it('writes exact numbers with their digits, also inside nested values', () => {
    expect(encode([[{ id: new ExactNumber('12345678901234567890'), big: 1e21 }]])).toBe('id,big\n12345678901234567890,1e+21\n');
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
    expect(text(encoder.encode([{ id: 1 }]))).toBe('id\n1\n');
    expect(encoder.end()).toHaveLength(0);
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
