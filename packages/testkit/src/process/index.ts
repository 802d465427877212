// Start, watch and stop a server process of your own in tests (a store, a proxy, a registry): a free
// port, a child without a shell that dies with the test process, ready when its own PID holds the
// listening socket, a temp dir removed on stop or exit.

export { freePort } from "./free-port.ts";
export {
  type LaunchPeerOptions,
  launchPeer,
  PeerStartError,
  type StartOnFreePortOptions,
  startOnFreePort,
} from "./launch-peer.ts";
export { type PeerExit, type PeerProcess, type SpawnPeerOptions, spawnPeer } from "./peer-process.ts";
export { createPeerTempDir, type PeerTempDir } from "./peer-temp-dir.ts";
export { pidExists } from "./process-gone.ts";
export { isPortOpen, type WaitForPortOptions, waitForPort, waitForPortClosed } from "./wait-for-port.ts";
