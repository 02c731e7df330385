import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createTmpDir } from './tmp-dir';

export interface TestCa {
  /** The CA certificate (PEM) and the file holding it. */
  readonly caPem: string;
  readonly caFile: string;
  /** A certificate for 127.0.0.1 and localhost signed by the CA, and its key (PEM). */
  readonly cert: string;
  readonly key: string;
  /** Where the files are; `remove()` it when done. */
  readonly dir: string;
  remove(): Promise<void>;
}

const openssl = (args: readonly string[], cwd: string) => promisify(execFile)('openssl', args, { cwd });
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * A private CA and a server certificate for loopback, made with the `openssl` CLI for this test run
 * (valid for a day): nothing that expires is committed.
 */
export async function createTestCa(): Promise<TestCa> {
  const dir = await createTmpDir('pageflow-ca-');
  const cwd = dir.path;
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=pageflow test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], cwd);
  await openssl(['req', ...EC_KEY, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], cwd);
  await writeFile(dir.resolve('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  const serial = `0x${Date.now().toString(16)}`;
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial, '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext'], cwd);
  const [caPem, cert, key] = await Promise.all(['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(dir.resolve(name), 'utf8')));
  return { caPem, caFile: dir.resolve('ca.pem'), cert, key, dir: dir.path, remove: dir.remove };
}
