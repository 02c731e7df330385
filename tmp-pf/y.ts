import { parseDocument, parse } from 'yaml';
const d = parseDocument('name: x\nsource:\n  url: http://a\n  params: { per_page: 100 }\nsinks:\n  - type: file\n    path: a.csv\n');
d.setIn(['source','params','per_page'], parse('50'));
d.setIn(['sinks',0,'path'], parse('b.csv'));
d.setIn(['source','headers','X'], parse('abc'));
d.setIn(['sinks',1,'type'], 'stdout');
console.log(JSON.stringify(d.toJS()));
try { d.setIn(['source','url','x'], 1) } catch (e) { console.log('ERR', (e as Error).message) }
try { d.setIn(['name', 0], 1) } catch (e) { console.log('ERR', (e as Error).message) }
try { d.setIn(['sinks','foo'], 1); console.log(JSON.stringify(d.toJS())) } catch (e) { console.log('ERR', (e as Error).message) }
for (const v of ['50','true','null','','abc def','[a, b]','{a: 1}','a: b: c','"quoted"', 'http://x:8080/v1?a=b#c', "'${X}'"]) { try { console.log(JSON.stringify(v), JSON.stringify(parse(v))) } catch (e) { console.log(JSON.stringify(v), 'ERR', (e as Error).message.split('\n')[0]) } }
const e = parseDocument(''); e.setIn(['a','b'], 1); console.log(JSON.stringify(e.toJS()));
