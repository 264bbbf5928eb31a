// A test client run inside a namespace: sends COUNT requests and prints one JSON line per request:
// {ok, body} on an answer, {ok:false, error:'ECONNREFUSED'|'timeout'|..., ms} otherwise.
// Usage: node probe.js tcp|udp HOST PORT [COUNT] [TIMEOUT_MS]
import { createSocket } from 'node:dgram';
import { request } from 'node:http';

const [proto, host, portText, countText = '1', timeoutText = '2000'] = process.argv.slice(2);
const port = Number(portText);
const timeoutMs = Number(timeoutText);

interface Result {
  ok: boolean;
  body?: string;
  error?: string;
  ms: number;
}

function http(): Promise<Result> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ ok: true, body, ms: Date.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, error: err.code ?? err.message, ms: Date.now() - t0 }),
    );
    req.end();
  });
}

function udp(): Promise<Result> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const done = (r: Result) => {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, error: 'timeout', ms: Date.now() - t0 }), timeoutMs);
    sock.on('message', (msg) => done({ ok: true, body: msg.toString(), ms: Date.now() - t0 }));
    // A connected socket reports an ICMP port unreachable as ECONNREFUSED.
    sock.on('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, error: err.code ?? err.message, ms: Date.now() - t0 }),
    );
    sock.connect(port, host, () => sock.send('ping'));
  });
}

for (let i = 0; i < Number(countText); i++) {
  console.log(JSON.stringify(proto === 'udp' ? await udp() : await http()));
}
