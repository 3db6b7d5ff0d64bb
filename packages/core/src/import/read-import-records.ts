import { Readable } from 'node:stream';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { GatehouseError } from '../gatehouse-error.js';

/** One record of an import file: its number (from 0), its value, and the bytes read so far. */
export interface ImportFileRecord {
  index: number;
  /** The parsed JSON value; `undefined` when an NDJSON line is not JSON (see `invalid`). */
  value: unknown;
  /** Set when the record could not be parsed (an NDJSON line that is not JSON, or is too long). */
  invalid?: string;
  /** Bytes of the file consumed when this record ended (exact for NDJSON, near for a JSON array). */
  bytes: number;
}

/** Longest NDJSON line taken (a record past it is refused, so memory stays bounded). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * The records of an import file, streamed: a JSON array (Auth0's format, parsed element by element
 * with stream-json, never whole) or NDJSON (one object a line), told apart by the first
 * non-whitespace character (`[` for an array). Memory stays bounded by one record, whatever the
 * file's size. A JSON array with a syntax error throws (the job fails); a bad NDJSON line becomes
 * one invalid record and the rest goes on.
 */
export async function* readImportRecords(input: Readable): AsyncGenerator<ImportFileRecord> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let head = Buffer.alloc(0);
  let first: number | undefined;
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    head = Buffer.concat([head, typeof next.value === 'string' ? Buffer.from(next.value) : next.value]);
    let i = 0;
    // A UTF-8 byte order mark is not content.
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
    while (i < head.length && WHITESPACE.has(head[i]!)) i++;
    if (i < head.length) {
      first = head[i];
      break;
    }
  }
  if (first === undefined) return;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  };
  if (first === 0x5b /* [ */) yield* readJsonArray(rest());
  else yield* readNdjson(rest());
}

async function* readNdjson(chunks: AsyncIterable<Buffer>): AsyncGenerator<ImportFileRecord> {
  let index = 0;
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let tooLong = false;
  function* line(buffer: Buffer): Generator<ImportFileRecord> {
    bytes += buffer.length + 1;
    const text = buffer.toString('utf8').trim();
    if (text === '') return;
    if (tooLong) {
      tooLong = false;
      yield { index: index++, value: undefined, invalid: `The record is longer than ${MAX_RECORD_BYTES} bytes.`, bytes };
      return;
    }
    try {
      yield { index: index++, value: JSON.parse(text) as unknown, bytes };
    } catch {
      yield { index: index++, value: undefined, invalid: 'The line is not valid JSON.', bytes };
    }
  }
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      const whole = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingLength = 0;
      yield* line(whole);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      if (tooLong || pendingLength + tail.length > MAX_RECORD_BYTES) {
        // Keep counting bytes but drop the content of an over-long line.
        tooLong = true;
        bytes += pendingLength + tail.length;
        pending = [];
        pendingLength = 0;
      } else {
        pending.push(Buffer.from(tail));
        pendingLength += tail.length;
      }
    }
  }
  if (pendingLength > 0 || tooLong) yield* line(Buffer.concat(pending));
}

async function* readJsonArray(chunks: AsyncIterable<Buffer>): AsyncGenerator<ImportFileRecord> {
  let bytes = 0;
  let sourceError: unknown;
  const counted = Readable.from(
    (async function* () {
      try {
        for await (const chunk of chunks) {
          bytes += chunk.length;
          yield chunk;
        }
      } catch (err) {
        sourceError = err;
        throw err;
      }
    })(),
  );
  const pipeline = counted.pipe(StreamArray.withParser());
  counted.on('error', (err) => pipeline.destroy(err));
  try {
    for await (const item of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
      yield { index: item.key, value: item.value, bytes };
    }
  } catch (err) {
    if (sourceError !== undefined) throw sourceError;
    // The file's fault, not the reader's: the job fails with the parser's account of it.
    throw new GatehouseError('invalid_body', { message: `The file is not a valid JSON array: ${err instanceof Error ? err.message : String(err)}` });
  }
}
