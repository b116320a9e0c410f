// main/ (front, Node) — the front process's entry (dist/main/front.js): the core forks it to accept connections
// and hand them over (main/gateway/front.ts).
import { runFront } from './gateway/front';

runFront();
