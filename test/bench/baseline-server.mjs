// Baseline for `npm run bench`: bare Fastify answering the same JSON body the gateway endpoint returns,
// with no auth, no Nest, no logging. Started as a child process so its peak RSS is measured on its own.
import Fastify from 'fastify';

const body = process.env.BENCH_BODY ?? '{}';
const contentType = process.env.BENCH_CONTENT_TYPE ?? 'application/json; charset=utf-8';
const app = Fastify({ logger: false });
app.all('/*', async (_request, reply) => reply.header('content-type', contentType).send(body));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
