import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An SMS as the fake Twilio API received it. */
export interface ReceivedSms {
  accountSid: string;
  /** The basic-auth user:password. */
  credentials: string;
  to: string;
  from: string | null;
  body: string;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/**
 * A local HTTP server speaking Twilio's Messages API format: `POST
 * /2010-04-01/Accounts/{sid}/Messages.json`, form encoded, HTTP basic auth, answering 201 with a
 * message resource, or Twilio's error body for the numbers in `refuse` and wrong credentials.
 */
export class FakeTwilio {
  readonly messages: ReceivedSms[] = [];
  /** Numbers answered with Twilio's 400 "not a valid phone number". */
  readonly refuse = new Set<string>();
  private waiters: Array<() => void> = [];
  private server: Server;
  port = 0;

  constructor(private readonly accountSid: string, private readonly authToken: string) {
    this.server = createServer((req, res) => {
      void (async () => {
        const match = /^\/2010-04-01\/Accounts\/([A-Za-z0-9]+)\/Messages\.json$/u.exec(req.url ?? '');
        const auth = req.headers.authorization ?? '';
        const credentials = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
        const body = new URLSearchParams(await read(req));
        res.setHeader('content-type', 'application/json');
        if (req.method !== 'POST' || !match) return res.writeHead(404).end(JSON.stringify({ code: 20404, message: 'Not found', status: 404 }));
        if (credentials !== `${this.accountSid}:${this.authToken}` || match[1] !== this.accountSid) {
          return res.writeHead(401).end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
        }
        const to = body.get('To') ?? '';
        if (this.refuse.has(to)) {
          return res.writeHead(400).end(JSON.stringify({ code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 }));
        }
        this.messages.push({ accountSid: match[1]!, credentials, to, from: body.get('From'), body: body.get('Body') ?? '' });
        this.waiters.splice(0).forEach((wake) => wake());
        res.writeHead(201).end(JSON.stringify({ sid: `SM${Date.now()}`, status: 'queued', to, body: body.get('Body') }));
      })();
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The newest SMS to `to`, waiting up to `timeoutMs` for it. */
  async waitFor(to: string, timeoutMs = 5000): Promise<ReceivedSms> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...this.messages].reverse().find((m) => m.to === to);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no SMS to ${to} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
