import type { FastifyInstance } from 'fastify';

// A placeholder home page until the web client is served here: it tells a newcomer who opened
// http://localhost:3000 that the server runs and where to go next, in Persian first.
const PAGE = `<!doctype html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>آبریک چت</title>
<style>
  body { font-family: system-ui, Tahoma, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.8; color: #1d2330; }
  h1 { font-size: 1.6rem; } code { background: #eef1f5; padding: 0 .3em; border-radius: 4px; }
  section[lang="en"] { direction: ltr; text-align: left; border-top: 1px solid #d5d9e0; margin-top: 2rem; padding-top: 1rem; }
  a { color: #0b5cad; }
</style>
</head>
<body>
<main>
<h1>سرور آبریک چت در حال اجراست</h1>
<p>برنامهٔ وب به‌زودی همین‌جا خواهد بود. تا آن زمان:</p>
<ul>
  <li><a href="/api/docs">مستندات API</a></li>
  <li><a href="/health/ready">وضعیت آمادگی</a> · <a href="/metrics">سنجه‌ها</a></li>
  <li>گفتگو از ترمینال: <code dir="ltr">node examples/chat.mjs --me 09121111111 --to 09122222222</code></li>
</ul>
<section lang="en">
<h2>Abrik Chat server is running</h2>
<p>The web client will be served here. Meanwhile: <a href="/api/docs">API documentation</a>,
<a href="/health/ready">readiness</a>, <a href="/metrics">metrics</a>, or chat from a terminal with
<code>node examples/chat.mjs --me 09121111111 --to 09122222222</code>.</p>
</section>
</main>
</body>
</html>
`;

export async function placeholderPage(app: FastifyInstance) {
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
}
