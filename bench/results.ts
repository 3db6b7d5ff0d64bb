/**
 * The bench command's record: every row it measured goes into bench/results.json (a row measured
 * again replaces the old one, so running one benchmark keeps the others' figures), and the README's
 * benchmark table is rewritten from that file, each row with the date and machine it was measured on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  /** Stable key: a row measured again replaces the row with the same id. */
  id: string;
  label: string;
  figure: string;
  baseline: string;
  ratio: string;
  goal: string;
}

interface StoredRow extends BenchRow {
  /** YYYY-MM-DD */
  date: string;
  machine: string;
}

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- bench:results:start (written by npm run bench) -->';
const END = '<!-- bench:results:end -->';

/** This machine, as the tables name it. */
export function machine(): string {
  return `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model?.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 1024 ** 3)} GiB`;
}

function readStored(): StoredRow[] {
  try {
    return (JSON.parse(readFileSync(RESULTS, 'utf8')) as { rows: StoredRow[] }).rows;
  } catch {
    return [];
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The markdown table of `rows`. */
export function table(rows: Array<BenchRow & { date?: string }>): string[] {
  const dated = rows.some((r) => r.date);
  return [
    `| benchmark | figure | baseline (same run) | ratio | goal |${dated ? ' measured |' : ''}`,
    `|---|---|---|---|---|${dated ? '---|' : ''}`,
    ...rows.map((r) => `| ${[r.label, r.figure, r.baseline, r.ratio, r.goal].map(cell).join(' | ')} |${dated ? ` ${r.date ?? ''} |` : ''}`),
  ];
}

/** Merges `rows` into bench/results.json and rewrites the README's table from it. */
export function record(rows: BenchRow[], order: string[]): void {
  const date = new Date().toISOString().slice(0, 10);
  const here = machine();
  const byId = new Map(readStored().map((r) => [r.id, r]));
  for (const row of rows) byId.set(row.id, { ...row, date, machine: here });
  const rank = (id: string) => {
    const i = order.findIndex((prefix) => id.startsWith(prefix));
    return i === -1 ? order.length : i;
  };
  const stored = [...byId.values()].sort((a, b) => rank(a.id) - rank(b.id));
  writeFileSync(RESULTS, `${JSON.stringify({ rows: stored }, null, 2)}\n`);

  const machines = [...new Set(stored.map((r) => r.machine))];
  const section = [
    START,
    `Measured by \`npm run bench\` on ${machines.join('; ')}; each row's date is in its last column.`,
    '',
    ...table(stored),
    END,
  ].join('\n');
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from === -1 || to === -1) throw new Error(`README.md has no ${START} ... ${END} section to write the results into.`);
  writeFileSync(README, readme.slice(0, from) + section + readme.slice(to + END.length));
}
