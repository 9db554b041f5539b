// Baseline for `npm run bench`: bare Fastify answering the same JSON bytes the gateway endpoint returns,
// with no auth, no Nest, no logging. Started as a child process so its peak RSS is measured on its own.
// The body of every path is BENCH_BODY (with BENCH_CONTENT_TYPE) unless the parent process sets one for a
// path over IPC: `{ path, body, contentType }`, acknowledged by `{ served: path }`.
import Fastify from 'fastify';

const fallback = { body: process.env.BENCH_BODY ?? '{}', contentType: process.env.BENCH_CONTENT_TYPE ?? 'application/json; charset=utf-8' };
/** Path (without query) → the bytes and content type to answer with. */
const bodies = new Map();
const app = Fastify({ logger: false });
app.all('/*', async (request, reply) => {
  const at = request.url.indexOf('?');
  const { body, contentType } = bodies.get(at < 0 ? request.url : request.url.slice(0, at)) ?? fallback;
  return reply.header('content-type', contentType).send(body);
});
process.on('message', (message) => {
  if (typeof message?.path !== 'string' || typeof message.body !== 'string') return;
  bodies.set(message.path, { body: message.body, contentType: message.contentType ?? fallback.contentType });
  process.send?.({ served: message.path });
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
