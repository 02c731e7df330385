import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DataRecord } from '../../src/record';

export interface ParquetRead {
  /** The rows, as DuckDB's JavaScript values (bigint for BIGINT, `{ micros }` for timestamps…). */
  readonly rows: Record<string, unknown>[];
  /** Each column's SQL type as DuckDB reads it. */
  readonly types: Record<string, string>;
  /** Each column's converted type in the file's own schema (`JSON`, `DATE`…), where it has one. */
  readonly convertedTypes: Record<string, string | null>;
}

/** A Parquet file as DuckDB reads it. */
export async function readParquetFile(file: string): Promise<ParquetRead> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const quoted = `'${file.replace(/'/g, "''")}'`;
  try {
    const result = await connection.runAndReadAll(`SELECT * FROM read_parquet(${quoted})`);
    const types = Object.fromEntries(result.columnNames().map((name, index) => [name, String(result.columnTypes()[index])]));
    const schema = await connection.runAndReadAll(`SELECT name, converted_type FROM parquet_schema(${quoted}) WHERE num_children IS NULL`);
    const convertedTypes = Object.fromEntries(schema.getRowObjects().map((row) => [String(row.name), row.converted_type === null ? null : String(row.converted_type)]));
    return { rows: result.getRowObjects(), types, convertedTypes };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Parquet bytes (an object fetched from S3) as DuckDB reads them, through a temporary file. */
export async function readParquetBytes(bytes: Uint8Array): Promise<ParquetRead> {
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
