// The built gateway as a child process, for the tests of this folder: started on a free port
// (--port 0; the port is read from its "listening on" log line) and stopped with SIGTERM, which
// must end it with exit code 0. Not a test file itself (node --test runs *.test.mjs only).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const bin = process.env.GW_DEPLOYMENTS_BIN ?? 'build/deployments';
// The shipped example config: three `mock` endpoints (chat, completions, embeddings), offline.
export const exampleConfig = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));

// extraArgs: more start-server options, e.g. ['--no-ui'].
export function startGateway(configPath, extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['start-server', '--config-path', configPath, '--port', '0', ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const onExit = (code) => reject(new Error(`gateway exited with ${code}: ${out}`));
    const onData = (chunk) => {
      out += chunk;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.stdout.resume();  // keep draining the log so the gateway never blocks on a full pipe
      child.stderr.resume();
      child.off('exit', onExit);
      const url = `http://127.0.0.1:${m[1]}`;
      const stop = () =>
        new Promise((done) => {
          if (child.exitCode !== null) return done(child.exitCode);
          child.on('exit', (code) => done(code));
          child.kill('SIGTERM');
        });
      resolve({ child, url, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', onExit);
    child.on('error', reject);
  });
}
