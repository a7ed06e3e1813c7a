#!/usr/bin/env node
// A terminal chat client for trying Abrik Chat: signs in with an SMS code, opens a direct
// conversation with another phone number and chats over Socket.IO.
//
//   node examples/chat.mjs --me 09121111111 --to 09122222222 [--url http://localhost:3000] [--lang en]
//
// With the development server (`npm start`) the code is printed in the server's log
// (a line with "component":"sms.log"). Type a message and Enter to send; Ctrl+C to quit.
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const { values } = parseArgs({
  options: {
    me: { type: 'string' },
    to: { type: 'string' },
    url: { type: 'string', default: 'http://localhost:3000' },
    lang: { type: 'string', default: 'fa' },
    code: { type: 'string' },
  },
});
if (!values.me || !values.to) {
  console.error(
    'usage: node examples/chat.mjs --me <your phone> --to <their phone> [--url URL] [--code CODE]',
  );
  process.exit(2);
}
const base = values.url.replace(/\/$/, '');
const rl = createInterface({ input: process.stdin, output: process.stdout });

async function api(method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'accept-language': values.lang,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${res.status} ${data.error.code}: ${data.error.message}`);
  return data;
}

let code = values.code;
if (!code) {
  await api('POST', '/api/v1/auth/otp', { phone: values.me });
  code = await rl.question('code from the SMS (development: the server log): ');
}
const session = await api('POST', '/api/v1/auth/verify', { phone: values.me, code: code.trim() });
const token = session.accessToken;
if (!session.user.name) {
  const name = await rl.question('your name: ');
  if (name.trim()) await api('PATCH', '/api/v1/users/me', { name: name.trim() }, token);
}
// The other person must have signed in once; wait for them if they have not yet.
let peer;
for (let announced = false; !peer; ) {
  try {
    peer = await api('GET', `/api/v1/users/lookup?phone=${encodeURIComponent(values.to)}`, undefined, token);
  } catch (error) {
    // Look-ups are rate-limited (against enumeration): poll slowly, and wait when told to.
    if (!/^(404|429)/.test(error.message)) throw error;
    if (!announced) console.log(`waiting for ${values.to} to sign in…`);
    announced = true;
    await new Promise((r) => setTimeout(r, error.message.startsWith('429') ? 60_000 : 10_000));
  }
}
const conversation = await api('POST', '/api/v1/conversations', { kind: 'direct', userId: peer.id }, token);
console.log(`chatting with ${peer.name ?? values.to} in ${conversation.id}`);

const socket = io(base, { auth: { token, lang: values.lang }, transports: ['websocket'] });
// The seq up to which every message is here (not the highest seen: see docs/api.md, Catching up).
let contiguous = 0;
const held = new Set();
const show = (m) => {
  if (m.conversationId !== conversation.id || held.has(m.seq)) return;
  held.add(m.seq);
  while (held.has(contiguous + 1)) contiguous++;
  const who = m.senderId === session.user.id ? 'me' : (peer.name ?? 'them');
  console.log(`[${m.seq}] ${who}: ${m.body ?? '(deleted)'}`);
};
const history = await api(
  'GET',
  `/api/v1/conversations/${conversation.id}/messages?limit=20`,
  undefined,
  token,
);
// Start after the recent history: older messages count as held.
contiguous = Math.max(0, (history.items[0]?.seq ?? conversation.lastSeq + 1) - 1);
history.items.forEach(show);

// After every (re)connect, and when the server says something may have been missed, fetch it.
async function catchUp() {
  for (let more = true; more; ) {
    const reply = await socket.emitWithAck('sync', { since: { [conversation.id]: contiguous } });
    if (!reply.ok) return;
    const mine = reply.conversations.find((c) => c.conversationId === conversation.id);
    mine?.messages.forEach(show);
    more = mine?.hasMore ?? false;
  }
}
socket.on('connect', catchUp);
socket.on('resync', catchUp);
socket.on('connect_error', (error) => console.error(`connection failed: ${error.message}`));
socket.on('message:new', (m) => {
  if (m.senderId !== session.user.id) show(m);
  socket.emit('read', { conversationId: conversation.id, seq: m.seq });
});
socket.on('typing', (e) => e.conversationId === conversation.id && process.stdout.write('… typing\n'));
socket.on('auth:expired', async () => {
  const fresh = await api('POST', '/api/v1/auth/refresh', { refreshToken: session.refreshToken });
  session.refreshToken = fresh.refreshToken;
  socket.auth.token = fresh.accessToken;
  await socket.emitWithAck('auth:refresh', { token: fresh.accessToken });
});

let n = 0;
rl.on('line', async (line) => {
  if (!line.trim()) return;
  const reply = await socket.timeout(10_000).emitWithAck('message:send', {
    conversationId: conversation.id,
    clientMsgId: `cli-${Date.now()}-${n++}`,
    body: line,
  });
  if (reply.ok) show(reply.message);
  else console.error(`not sent: ${reply.error.message}`);
});
rl.on('close', () => {
  socket.close();
  process.exit(0);
});
