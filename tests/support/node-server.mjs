// The official socket.io 4.8 server as an interop peer for the tests.
//
//   node tests/support/node-server.mjs --port 0 [--ping-interval 25000]
//        [--ping-timeout 20000] [--transports websocket,polling]
//        [--recovery] [--exit-with-stdin]
//
// --recovery turns on connection state recovery (`connectionStateRecovery`,
// sessions kept 2 minutes after a cut).
//
// Listens on 127.0.0.1 and prints `listening on http://127.0.0.1:PORT` once
// bound. CORS allows any origin (no credentials). Stops on SIGTERM/SIGINT,
// and with --exit-with-stdin also when its stdin closes (the conductor
// passes it, so the peer never outlives it).
//
// Namespace `/`:
//   echo   acks back all its arguments in order (binary included).
//   ask    emits `question` with the same arguments to the client (5 s ack
//          timeout) and acks `{answer: <the client's first ack argument>}`,
//          or `{error: message}`.
//   auth   acks `socket.handshake.auth`.
//   query  acks `socket.handshake.query` (the first request's query).
//   headers acks `socket.handshake.headers` (the first request's headers).
//   whoami acks `{nsp, id}`.
//   session acks `{recovered, rooms}` (`socket.recovered`, its rooms but its own).
//   feed-join joins room `feed` and acks `true`.
//   feed-publish `{from, count}`: emits `tick` with from, from+1, … (count
//          of them) to room `feed`, then acks `true`.
//   On connection, when `auth.greet` is truthy, emits `greeting` with
//   `{hello: "world", bin: <Buffer 01 02 03>}`.
// Namespace `/admin`: echo, whoami.
// Namespace `/private`: refuses connections without `auth.token === "secret"`
// (connect_error `unauthorized`); whoami.

import { createServer } from 'node:http';
import { Server } from 'socket.io';

function usage(why) {
  process.stderr.write(
    `error: ${why}\nusage: node tests/support/node-server.mjs --port PORT ` +
      '[--ping-interval MS] [--ping-timeout MS] [--transports websocket,polling] [--recovery] [--exit-with-stdin]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    port: 0,
    pingInterval: 25000,
    pingTimeout: 20000,
    transports: ['websocket', 'polling'],
    recovery: false,
    exitWithStdin: false,
  };
  const number = (flag, v) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) usage(`${flag} needs a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--port':
        opts.port = number(flag, argv[++i]);
        if (opts.port > 65535) usage(`--port must be at most 65535, got ${opts.port}`);
        break;
      case '--ping-interval':
        opts.pingInterval = number(flag, argv[++i]);
        break;
      case '--ping-timeout':
        opts.pingTimeout = number(flag, argv[++i]);
        break;
      case '--transports': {
        const list = (argv[++i] ?? '').split(',').map((t) => t.trim().toLowerCase());
        if (list.length === 0 || list.some((t) => t !== 'websocket' && t !== 'polling')) {
          usage(`--transports takes a comma-separated list of websocket and polling, got ${JSON.stringify(argv[i])}`);
        }
        opts.transports = [...new Set(list)];
        break;
      }
      case '--recovery':
        opts.recovery = true;
        break;
      case '--exit-with-stdin':
        opts.exitWithStdin = true;
        break;
      default:
        usage(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

const httpServer = createServer();
const io = new Server(httpServer, {
  cors: { origin: '*' },
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  // socket.io tries them in this order only for its own client; the server
  // merely accepts them.
  transports: opts.transports,
  ...(opts.recovery
    ? { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true } }
    : {}),
});

/** Calls the last argument if it is a function (the client asked for an ack). */
function ackWith(args, ...reply) {
  const ack = args.at(-1);
  if (typeof ack === 'function') ack(...reply);
}

function withoutAck(args) {
  return typeof args.at(-1) === 'function' ? args.slice(0, -1) : args;
}

function common(socket) {
  socket.on('echo', (...args) => ackWith(args, ...withoutAck(args)));
  socket.on('whoami', (...args) => ackWith(args, { nsp: socket.nsp.name, id: socket.id }));
}

io.of('/').on('connection', (socket) => {
  common(socket);
  socket.on('auth', (...args) => ackWith(args, socket.handshake.auth));
  socket.on('query', (...args) => ackWith(args, socket.handshake.query));
  socket.on('headers', (...args) => ackWith(args, socket.handshake.headers));
  socket.on('session', (...args) =>
    ackWith(args, { recovered: socket.recovered, rooms: [...socket.rooms].filter((r) => r !== socket.id) }),
  );
  socket.on('feed-join', (...args) => {
    socket.join('feed');
    ackWith(args, true);
  });
  socket.on('feed-publish', (...args) => {
    const { from = 0, count = 0 } = withoutAck(args)[0] ?? {};
    for (let i = 0; i < count; i++) io.to('feed').emit('tick', from + i);
    ackWith(args, true);
  });
  socket.on('ask', async (...args) => {
    try {
      const answer = await socket.timeout(5000).emitWithAck('question', ...withoutAck(args));
      ackWith(args, { answer });
    } catch (e) {
      ackWith(args, { error: e?.message ?? String(e) });
    }
  });
  if (socket.handshake.auth?.greet) {
    socket.emit('greeting', { hello: 'world', bin: Buffer.from([1, 2, 3]) });
  }
});

io.of('/admin').on('connection', common);

const priv = io.of('/private');
priv.use((socket, next) => {
  if (socket.handshake.auth?.token === 'secret') next();
  else next(new Error('unauthorized'));
});
priv.on('connection', common);

function stop() {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (opts.exitWithStdin) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

httpServer.once('error', (e) => {
  process.stderr.write(`error: cannot listen on 127.0.0.1:${opts.port}: ${e.message}\n`);
  process.exit(1);
});
httpServer.listen(opts.port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${httpServer.address().port}\n`);
});
