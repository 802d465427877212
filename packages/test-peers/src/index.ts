// Real peers for Switchyard's own tests: CNCF registry and token server, s3rver behind a SigV4 check,
// nginx, squid, tinyproxy, redis. Private: the process helpers they stand on are
// `@switchyard/testkit/process`.

export type { NginxFailingLocation, NginxHeaderLocation, NginxSlowLocation } from "./nginx/nginx-config.ts";
export { type NginxAccessEntry, type NginxOptions, type NginxPeer, startNginx } from "./nginx/start-nginx.ts";
export {
  DEBIAN_PACKAGES,
  isCI,
  type PeerName,
  type PeerRequirement,
  peerAvailable,
  peerBinary,
  requirePeer,
  whichNginx,
  whichPeer,
  whichRedis,
  whichRegistry,
  whichSkopeo,
  whichTinyproxy,
} from "./peer-availability.ts";
export { type RedisOptions, type RedisPeer, startRedis } from "./redis/start-redis.ts";
export {
  type RedisClusterOptions,
  type RedisClusterPeer,
  startRedisCluster,
} from "./redis/start-redis-cluster.ts";
export {
  decodeJwt,
  type RegistryAccess,
  type RegistryTokenClaims,
  signJwtRs256,
} from "./registry/jwt-rs256.ts";
export { MANIFEST_ACCEPT, OCI_MEDIA_TYPES, type OciDescriptor } from "./registry/oci-media-types.ts";
export {
  type ArtifactBlob,
  type PushArtifactOptions,
  type PushedArtifact,
  pushArtifact,
} from "./registry/push-artifact.ts";
export { type BlobData, pushBlob, sha256Digest } from "./registry/push-blob.ts";
export { type PushedIndex, type PushIndexOptions, pushIndex } from "./registry/push-index.ts";
export { pushManifest } from "./registry/push-manifest.ts";
export {
  type RegistryClientOptions,
  type RegistryCredentials,
  registryAuthorization,
} from "./registry/registry-credentials.ts";
export {
  runSkopeo,
  type SkopeoDirCopy,
  type SkopeoOptions,
  type SkopeoResult,
  skopeoCopyToDir,
  skopeoInspectRaw,
} from "./registry/skopeo.ts";
export {
  type RegistryAuthOptions,
  type RegistryOptions,
  type RegistryPeer,
  startRegistry,
} from "./registry/start-registry.ts";
export {
  type MintTokenOptions,
  parseScope,
  startTokenServer,
  type TokenRequestRecord,
  type TokenScopeRequest,
  type TokenServer,
  type TokenServerOptions,
} from "./registry/token-server.ts";
export { createTokenSigningKey, type TokenSigningKey } from "./registry/token-signing-key.ts";
export { renderS3ErrorXml } from "./s3/s3-error.ts";
export {
  type S3RequestRecord,
  type SigV4Front,
  type SigV4FrontOptions,
  startSigV4Front,
} from "./s3/sigv4-front.ts";
export {
  type SigV4Credentials,
  type SigV4Failure,
  type SigV4Request,
  type SigV4Success,
  type SigV4VerifyOptions,
  verifySigV4,
} from "./s3/sigv4-verify.ts";
export { type S3BucketOption, type S3Options, type S3Peer, startS3 } from "./s3/start-s3.ts";
export { renderSquidConfig, type SquidConfigInput } from "./squid/squid-config.ts";
export { type SquidAccessEntry, type SquidOptions, type SquidPeer, startSquid } from "./squid/start-squid.ts";
export {
  startTinyproxy,
  type TinyproxyOptions,
  type TinyproxyPeer,
  type TinyproxyRequest,
} from "./tinyproxy/start-tinyproxy.ts";
