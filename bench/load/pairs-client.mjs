// Load generator for the `pairs` scenario, run as its own process so its CPU is counted apart
// from the server's. Open model: messages leave at a fixed total rate whatever the server does;
// each carries its send time, and latency is measured where it is received.
//
// Input (a JSON file named by argv[2]): { url, rate, warmupSeconds, steadySeconds, pairs: [{conversationId,
//   a: token, b: token}] }. Output: one JSON line on stdout with counts and the HDR histogram
// percentiles (microseconds) of the steady window.
import { readFileSync } from 'node:fs';
import hdr from 'hdr-histogram-js';
import { io } from 'socket.io-client';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const histogram = hdr.build({
  lowestDiscernibleValue: 1,
  highestTrackableValue: 120_000_000,
  numberOfSignificantValueDigits: 3,
});
const now = () => performance.timeOrigin + performance.now();

function connect(token) {
  return new Promise((resolve, reject) => {
    const socket = io(input.url, {
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

// Both ends of every pair: each side sends to the other and receives the other's messages.
const ends = [];
for (const pair of input.pairs) {
  ends.push({ conversationId: pair.conversationId, token: pair.a });
  ends.push({ conversationId: pair.conversationId, token: pair.b });
}
const sockets = [];
for (let i = 0; i < ends.length; i += 50) {
  sockets.push(...(await Promise.all(ends.slice(i, i + 50).map((e) => connect(e.token)))));
}

let steadyFrom = Number.POSITIVE_INFINITY;
let steadyTo = Number.POSITIVE_INFINITY;
const counts = {
  sent: 0,
  acked: 0,
  failed: 0,
  delivered: 0,
  steadySent: 0,
  steadyAcked: 0,
  steadyDelivered: 0,
};
const expected = new Set();

sockets.forEach((socket) => {
  socket.on('message:new', (m) => {
    const [tag, sentAt] = m.body.split('|');
    if (!expected.delete(m.clientMsgId) || tag !== 'bench') return; // own echo or stray
    counts.delivered++;
    const at = now();
    const sent = Number(sentAt);
    if (sent >= steadyFrom && sent < steadyTo) {
      counts.steadyDelivered++;
      histogram.recordValue(Math.max(1, Math.round((at - sent) * 1000)));
    }
  });
});

const padding = 'x'.repeat(64);
let seq = 0;
function send() {
  const i = seq % sockets.length;
  seq++;
  const socket = sockets[i];
  const conversationId = ends[i].conversationId;
  const sentAt = now();
  const clientMsgId = `b${process.pid}-${seq}`;
  const body = `bench|${sentAt.toFixed(3)}|`.padEnd(64, padding);
  const steady = sentAt >= steadyFrom && sentAt < steadyTo;
  counts.sent++;
  if (steady) counts.steadySent++;
  expected.add(clientMsgId);
  socket.timeout(30_000).emit('message:send', { conversationId, clientMsgId, body }, (err, ack) => {
    if (!err && ack?.ok) {
      counts.acked++;
      if (steady) counts.steadyAcked++;
    } else {
      counts.failed++;
      expected.delete(clientMsgId);
    }
  });
}

const start = now();
steadyFrom = start + input.warmupSeconds * 1000;
steadyTo = steadyFrom + input.steadySeconds * 1000;
const endAt = steadyTo;
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const t = now();
    const due = Math.floor(((Math.min(t, endAt) - start) / 1000) * input.rate);
    while (counts.sent < due) send();
    if (t >= endAt) {
      clearInterval(timer);
      resolve();
    }
  }, 2);
});
// Let the last messages land (bounded).
const drainUntil = now() + 10_000;
while ((counts.acked + counts.failed < counts.sent || expected.size > 0) && now() < drainUntil) {
  await new Promise((r) => setTimeout(r, 50));
}
for (const s of sockets) s.close();
const p = (q) => histogram.getValueAtPercentile(q) / 1000;
process.stdout.write(
  `${JSON.stringify({
    connections: sockets.length,
    rate: input.rate,
    ...counts,
    lost: counts.steadyAcked - counts.steadyDelivered,
    latencyMs: { p50: p(50), p95: p(95), p99: p(99), max: histogram.maxValue / 1000 },
  })}\n`,
);
process.exit(0);
