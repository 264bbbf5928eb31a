// A test backend run inside a pod namespace: answers HTTP on --tcp PORT and UDP on --udp PORT with
// "<name> <client address>", so a test sees which endpoint served it and which source address it saw.
// Usage: node echo-server.js NAME [--tcp PORT]... [--udp PORT]...
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';

const [name, ...rest] = process.argv.slice(2);
const listening: Promise<void>[] = [];
for (let i = 0; i < rest.length; i += 2) {
  const port = Number(rest[i + 1]);
  if (rest[i] === '--tcp') {
    const server = createServer((req, res) => {
      res.setHeader('connection', 'close');
      res.end(`${name} ${req.socket.remoteAddress}`);
    });
    listening.push(new Promise((r) => server.listen(port, '0.0.0.0', () => r())));
  } else if (rest[i] === '--udp') {
    const sock = createSocket('udp4');
    sock.on('message', (_msg, rinfo) => sock.send(`${name} ${rinfo.address}`, rinfo.port, rinfo.address));
    listening.push(new Promise((r) => sock.bind(port, '0.0.0.0', () => r())));
  }
}
await Promise.all(listening);
console.log('ready');
