import { clientsCommand } from './commands/clients.js';
import { migrateCommand } from './commands/migrate.js';
import { serveCommand } from './commands/serve.js';
import { tokensCommand } from './commands/tokens.js';
import { usersCommand } from './commands/users.js';

export interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  /** A terminal to redraw progress lines on in place (stderr when it is one); without it, progress is plain lines on `err`. */
  tty?: { write(text: string): unknown };
}

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve     Run the quickstart app (hosted login, signup, account pages) from this folder
  migrate   Bring the database schema up to date
  tokens    Create, list and revoke management API tokens
  clients   Create, list, update, re-key and delete applications (OAuth / OpenID Connect clients)
  users     Import users (Auth0 JSON or NDJSON, resumable) and export them (NDJSON or CSV)

Run 'gatehouse <command> --help' for a command's options.`;

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Output = { out: console.log, err: console.error, tty: process.stderr.isTTY ? process.stderr : undefined }): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, io);
      case 'migrate':
        return await migrateCommand(rest, io);
      case 'tokens':
        return await tokensCommand(rest, io);
      case 'clients':
        return await clientsCommand(rest, io);
      case 'users':
        return await usersCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 1 : 0;
      default:
        io.err(`gatehouse: unknown command "${command}"\n\n${USAGE}`);
        return 1;
    }
  } catch (err) {
    // Option mistakes are TypeErrors with a message for people; anything else is shown as it is.
    io.err(`gatehouse ${command}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
