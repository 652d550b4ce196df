import express from 'express';

// The request-rate baseline: a plain Express app with one route and nothing else, in its own
// process like the server under test. Its rate is the ceiling this machine and this HTTP stack allow.
const app = express();
app.get('/hello', (_req, res) => {
  res.send('hello');
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
});
