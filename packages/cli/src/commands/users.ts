import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_DATABASE_CONNECTION, exportUsers, newJobId, runUsersImport, type JobRecord, type JobSummary } from '@gatehouse/core';
import { createSequelizeStorage } from '@gatehouse/storage-sequelize';
import type { Output } from '../main.js';
import { DATABASE_HELP, databaseUrl } from './database-option.js';

const HELP = `Usage: gatehouse users <import|export> [options]

  gatehouse users import FILE [--upsert] [--resume JOB_ID]
  gatehouse users export [--format ndjson|csv] [--fields a,b] [--out FILE]

Run 'gatehouse users <subcommand> --help' for its options.`;

const IMPORT_HELP = `Usage: gatehouse users import FILE [options]

Imports users from an Auth0 bulk-import file: a JSON array or NDJSON (one user a line), streamed
(any size). Password hashes (bcrypt password_hash, custom_password_hash) are kept and replaced by
Argon2id at each user's first login. Progress goes to stderr; a summary to stdout.

Options:
  --upsert            Update the user with the same email instead of reporting CONFLICT_EMAIL
  --resume JOB_ID     Finish an interrupted import of FILE: records already committed are skipped
  --connection NAME   The database connection (default ${DEFAULT_DATABASE_CONNECTION})
  --batch-size N      Records per transaction (default 500)
${DATABASE_HELP}
  -h, --help          Show this help

Exit code 1 when any record failed (the errors are listed on stderr) or the import stopped.`;

const EXPORT_HELP = `Usage: gatehouse users export [options]

Writes the users as NDJSON or CSV (spreadsheet formulas escaped), never with password hashes.

Options:
  --format F          ndjson (default) or csv
  --fields a,b        Fields to write, dotted paths allowed (user_metadata.plan); default: the profile
  --connection NAME   Only this connection's users (default: every user)
  --out FILE          Write here instead of stdout
${DATABASE_HELP}
  -h, --help          Show this help`;

const ERRORS_SHOWN = 20;
const number = (n: number) => n.toLocaleString('en-US');

/** A progress line, redrawn in place on a terminal, else a plain line at most every 2 s. */
function progressReporter(io: Output, size: number) {
  const started = Date.now();
  let last = 0;
  return {
    update({ summary, bytes }: { summary: JobSummary; bytes: number }) {
      const now = Date.now();
      if (!io.tty && now - last < 2000) return;
      last = now;
      const rate = summary.total / Math.max(0.001, (now - started) / 1000);
      const percent = size > 0 ? ` ${Math.min(100, Math.floor((bytes / size) * 100))}%` : '';
      const line = `${percent} ${number(summary.total)} records: ${number(summary.inserted)} inserted, ${number(summary.updated)} updated, ${number(summary.failed)} failed (${number(Math.round(rate))} users/s)`;
      if (io.tty) io.tty.write(`\r\u001b[2K${line.trim()}`);
      else io.err(line.trim());
    },
    done() {
      if (io.tty) io.tty.write('\r\u001b[2K');
    },
  };
}

async function importCommand(argv: string[], io: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      upsert: { type: 'boolean' },
      resume: { type: 'string' },
      connection: { type: 'string' },
      'batch-size': { type: 'string' },
      database: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(IMPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new TypeError('give exactly one FILE, e.g. gatehouse users import users.json');
  const file = positionals[0]!;
  const batchSize = values['batch-size'] === undefined ? 500 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new TypeError('--batch-size must be an integer from 1 to 10000');
  const { size } = await stat(file);
  const storage = createSequelizeStorage({ url: databaseUrl(values.database) });
  try {
    await storage.migrate();
    let job: JobRecord;
    if (values.resume !== undefined) {
      const found = await storage.getJob(values.resume);
      if (!found || found.type !== 'users_import') throw new TypeError(`no import job ${values.resume} in this database`);
      if (found.status === 'completed') throw new TypeError(`job ${found.id} is already completed`);
      job = found;
      io.err(`Resuming ${job.id} after record ${number(job.checkpoint.records)}.`);
    } else {
      job = await storage.createJob({
        id: newJobId(),
        type: 'users_import',
        connection: values.connection ?? DEFAULT_DATABASE_CONNECTION,
        external_id: null,
        params: { upsert: values.upsert === true, file: basename(file), size },
        created_at: new Date(),
      });
      io.err(`Import job ${job.id} (if it stops, finish it with: gatehouse users import ${file} --resume ${job.id})`);
    }
    const progress = progressReporter(io, size);
    const started = Date.now();
    const before = job.summary.total;
    let summary: JobSummary;
    try {
      summary = await runUsersImport(createReadStream(file), {
        storage,
        jobId: job.id,
        connection: job.connection ?? DEFAULT_DATABASE_CONNECTION,
        upsert: values.resume !== undefined ? job.params.upsert === true : values.upsert === true,
        batchSize,
        onProgress: (p) => progress.update(p),
      });
    } finally {
      progress.done();
    }
    const seconds = (Date.now() - started) / 1000;
    const rate = Math.round((summary.total - before) / Math.max(seconds, 0.001));
    if (summary.failed > 0) {
      const errors = await storage.listJobErrors(job.id, { offset: 0, limit: ERRORS_SHOWN });
      for (const e of errors) {
        io.err(`record ${e.index}${typeof e.user.email === 'string' ? ` (${e.user.email})` : ''}: ${e.errors.map((x) => `${x.code} ${x.path} ${x.message}`).join('; ')}`);
      }
      if (summary.failed > errors.length) io.err(`… and ${number(summary.failed - errors.length)} more (GET /api/v2/jobs/${job.id}/errors)`);
    }
    io.out(
      `Imported ${file}: ${number(summary.inserted)} inserted, ${number(summary.updated)} updated, ${number(summary.failed)} failed ` +
        `of ${number(summary.total)} records in ${seconds.toFixed(1)} s (${number(rate)} users/s). Job ${job.id}.`,
    );
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await storage.close();
  }
}

async function exportCommand(argv: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      fields: { type: 'string' },
      connection: { type: 'string' },
      out: { type: 'string' },
      database: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(EXPORT_HELP);
    return 0;
  }
  const format = values.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') throw new TypeError('--format must be ndjson or csv');
  const fields = values.fields?.split(',').map((name) => ({ name: name.trim() })).filter((f) => f.name !== '');
  const storage = createSequelizeStorage({ url: databaseUrl(values.database) });
  try {
    await storage.migrate();
    let count = 0;
    const chunks = exportUsers({ storage, connection: values.connection ?? null, format, fields, onPage: (n) => (count += n) });
    const target: Writable = values.out === undefined ? process.stdout : createWriteStream(values.out, { mode: 0o600 });
    await pipeline(Readable.from(chunks), target, { end: values.out !== undefined });
    io.err(`Exported ${number(count)} users${values.out === undefined ? '' : ` to ${values.out}`}.`);
    return 0;
  } finally {
    await storage.close();
  }
}

/** `gatehouse users import|export`. */
export async function usersCommand(argv: string[], io: Output): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'import':
      return importCommand(rest, io);
    case 'export':
      return exportCommand(rest, io);
    case undefined:
    case '-h':
    case '--help':
      io.out(HELP);
      return sub === undefined ? 1 : 0;
    default:
      io.err(`gatehouse users: unknown subcommand "${sub}"\n\n${HELP}`);
      return 1;
  }
}
