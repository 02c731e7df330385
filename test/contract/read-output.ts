import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DataRecord } from '../../src/record';

/** A Parquet file as DuckDB reads it: its rows (DuckDB's JavaScript values) and each column's SQL type. */
export async function readParquetFile(file: string): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
    const types = Object.fromEntries(result.columnNames().map((name, index) => [name, String(result.columnTypes()[index])]));
    return { rows: result.getRowObjects(), types };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Parquet bytes (an object fetched from S3) as DuckDB reads them, through a temporary file. */
export async function readParquetBytes(bytes: Uint8Array): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  const folder = await mkdtemp(join(tmpdir(), 'pageflow-parquet-'));
  try {
    const file = join(folder, 'object.parquet');
    await writeFile(file, bytes);
    return await readParquetFile(file);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The records of an output, read by its name: NDJSON (gzipped for .gz), CSV of plain cells (the
 * contract's records need no quoting), Parquet through DuckDB.
 */
export async function readOutput(name: string, bytes: Uint8Array): Promise<DataRecord[]> {
  if (name.endsWith('.parquet')) return (await readParquetBytes(bytes)).rows;
  const text = (name.endsWith('.gz') ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
  if (/\.csv(\.gz)?$/.test(name)) {
    const [header, ...lines] = text.split('\n').filter((line) => line !== '');
    if (header === undefined) return [];
    const columns = header.split(',');
    return lines.map((line) => Object.fromEntries(line.split(',').map((cell, index) => [columns[index], cell])));
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DataRecord);
}
