/**
 * The live measurement's baseline: a bare node:http SSE server, in a process of
 * its own as the gateway is. Every POST opens a stream that gets a hello event;
 * on `fire` (IPC) it stamps the event text the gateway sent (`template`, its
 * updatedAt replaced) with the time now and writes it to every open stream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const STAMP = '@STAMP@';
const streams = new Set<http.ServerResponse>();
let template = `data: {"updatedAt":"${STAMP}"}\n\n`;

const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write('data: {"hello":true}\n\n');
  streams.add(res);
  res.on('close', () => streams.delete(res));
});

process.on('message', (message: { type: 'template'; text: string } | { type: 'fire' } | { type: 'close' }) => {
  if (message.type === 'template') {
    template = message.text.replace(/"updatedAt":"[^"]+"/, `"updatedAt":"${STAMP}"`);
    process.send!({ type: 'ok' });
  } else if (message.type === 'fire') {
    // Millisecond stamp, as the gateway's updatedAt.
    const text = template.replace(STAMP, new Date(Date.now()).toISOString());
    for (const res of streams) res.write(text);
    process.send!({ type: 'ok' });
  } else {
    for (const res of streams) res.destroy();
    process.send!({ type: 'ok' });
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => process.send!({ type: 'listening', port: (server.address() as AddressInfo).port }));
