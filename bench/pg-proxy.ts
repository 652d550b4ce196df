import net from 'node:net';

/**
 * A TCP proxy between the app and PostgreSQL that holds every chunk `delayMs` before passing it
 * on, in each direction (this kernel has no netem): the app then sees a database one network hop
 * away, as it would on another machine. Order is kept (timers of one duration fire in the order
 * they were set). It also reads the PostgreSQL protocol as it passes, to count:
 * - round trips: ReadyForQuery messages from the server, one per query the app waited for;
 * - statements (simple `Q` or extended `P` messages), inside and outside transactions; a
 *   transaction runs from a `begin` to its `commit` or `rollback`;
 * - how long each transaction took at the proxy (from its `begin` arriving to its commit's
 *   answer), and how long it held the write lock (from the answer to its
 *   `pg_advisory_xact_lock` to the answer to its commit).
 */

export interface ProxyStats {
  roundTrips: number;
  statementsOutside: number;
  transactions: number;
  statementsInTransactions: number;
  errors: number;
  transactionMs: number[];
  lockHeldMs: number[];
  /** The statements of the last transaction that committed a write, abbreviated. */
  lastWriteTransaction: string[];
}

function emptyStats(): ProxyStats {
  return { roundTrips: 0, statementsOutside: 0, transactions: 0, statementsInTransactions: 0, errors: 0, transactionMs: [], lockHeldMs: [], lastWriteTransaction: [] };
}

/** Splits a byte stream into PostgreSQL messages (1 type byte, then a length that counts itself). */
class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);

  /** `untyped`: the client's first message (startup) has no type byte. */
  constructor(private untyped: boolean) {}

  push(chunk: Buffer, onMessage: (type: string, body: Buffer) => void): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const head = this.untyped ? 0 : 1;
      if (this.buffer.length < head + 4) return;
      const length = this.buffer.readInt32BE(head);
      if (this.buffer.length < head + length) return;
      const type = this.untyped ? '' : String.fromCharCode(this.buffer[0] ?? 0);
      onMessage(type, this.buffer.subarray(head + 4, head + length));
      this.buffer = this.buffer.subarray(head + length);
      this.untyped = false;
    }
  }
}

const abbreviate = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 90 ? `${flat.slice(0, 87)}…` : flat;
};

/** Per connection: what the app asked, in order, and the transaction it is in. */
class Conversation {
  private readonly asked: string[] = [];
  private inTransaction = false;
  private transactionStart = 0;
  private lockAt = 0;
  private statements: string[] = [];

  constructor(private readonly stats: () => ProxyStats) {}

  fromClient(type: string, body: Buffer): void {
    let text: string | undefined;
    if (type === 'Q') text = body.toString('utf8', 0, Math.max(0, body.indexOf(0)));
    else if (type === 'P') {
      const nameEnd = body.indexOf(0);
      text = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
    }
    if (text === undefined) return;
    const stats = this.stats();
    const verb = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (verb === 'begin' || verb === 'start') {
      this.inTransaction = true;
      this.transactionStart = performance.now();
      this.lockAt = 0;
      this.statements = [];
    }
    if (this.inTransaction) {
      stats.statementsInTransactions += 1;
      this.statements.push(abbreviate(text));
    } else {
      stats.statementsOutside += 1;
    }
    this.asked.push(verb);
  }

  fromServer(type: string): void {
    const stats = this.stats();
    if (type === 'E') stats.errors += 1;
    if (type !== 'Z') return;
    stats.roundTrips += 1;
    const verb = this.asked.shift() ?? '';
    if (!this.inTransaction) return;
    const now = performance.now();
    if (this.lockAt === 0 && this.statements.at(-1)?.includes('pg_advisory_xact_lock')) this.lockAt = now;
    if (verb === 'commit' || verb === 'rollback' || verb === 'end') {
      this.inTransaction = false;
      stats.transactions += 1;
      stats.transactionMs.push(now - this.transactionStart);
      if (this.lockAt) stats.lockHeldMs.push(now - this.lockAt);
      if (verb !== 'rollback' && this.statements.some((s) => /^(insert|update|delete)\b/i.test(s))) stats.lastWriteTransaction = this.statements;
    }
  }
}

export class DelayingProxy {
  private server?: net.Server;
  private counts = emptyStats();
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly target: { host: string; port: number },
    private readonly delayMs: number,
  ) {}

  /** Listens on a free loopback port and returns it. */
  async listen(): Promise<number> {
    const server = net.createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the proxy has no port');
    return address.port;
  }

  /** The counts since the last `reset`. */
  stats(): ProxyStats {
    return { ...this.counts, transactionMs: [...this.counts.transactionMs], lockHeldMs: [...this.counts.lockHeldMs] };
  }

  reset(): void {
    this.counts = emptyStats();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const conversation = new Conversation(() => this.counts);
    const fromClient = new MessageReader(true);
    const fromServer = new MessageReader(false);
    const later = (fn: () => void) => setTimeout(fn, this.delayMs);
    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk, (type, body) => conversation.fromClient(type, body));
      later(() => upstream.write(chunk));
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer.push(chunk, (type) => conversation.fromServer(type));
      later(() => client.write(chunk));
    });
    const end = () => {
      later(() => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      });
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
