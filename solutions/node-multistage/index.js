// The course's Node app: answers every request on port 8080 and logs it.
const http = require('http');

const port = 8080;
http.createServer((req, res) => {
  console.log(`${req.method} ${req.url}`);
  res.end('Hello from mine/node\n');
}).listen(port, '0.0.0.0', () => console.log(`listening on ${port}`));

// As PID 1, node ignores SIGTERM unless told: without this, docker stop waits 10 s.
process.on('SIGTERM', () => process.exit(0));
