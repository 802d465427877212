import type { Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { pluginChannel, publishScrubbed, redactUrl, servedByKey } from "@switchyard/core";
import { digestOf } from "./digest.ts";
import { DigestMismatchError, OciManifestError, OciNotFoundError, OciReferenceError } from "./errors.ts";
import type { Descriptor } from "./manifest.ts";
import { MANIFEST_ACCEPT, parseManifest, selectLayer, selectManifest } from "./manifest.ts";
import type { OciOptions } from "./oci-options.ts";
import { resolveOciOptions } from "./oci-options.ts";
import type { OciReference } from "./oci-reference.ts";
import { describeReference, parseOciUrl, referenceOf } from "./oci-reference.ts";
import { readLimited } from "./read-body.ts";
import { RegistryAuth } from "./registry-auth.ts";
import type { RegistryCall } from "./registry-requests.ts";
import { registryRequests } from "./registry-requests.ts";
import { baseHeaders } from "./request-headers.ts";
import type { LayerSelector, ManifestSelector } from "./selectors.ts";
import { SharedTokens } from "./shared-tokens.ts";
import type { ExpectedBlob } from "./verify-digest.ts";
import { verifyStream } from "./verify-digest.ts";

const resolveChannel = pluginChannel("oci", "resolve");

// rattler's way of saying which blob a conda package must be (the sha256 from repodata).
const EXPECTED_SHA256 = "x-expected-sha256";
// Headers of the caller that are not forwarded to the registry's blob endpoint.
const NOT_FORWARDED = ["authorization", "cookie", "host", EXPECTED_SHA256];
// An index may point at another index; real ones are one level deep.
const MAX_INDEX_DEPTH = 4;

function hasLayerSelector(s: LayerSelector): boolean {
  return s.mediaType !== undefined || s.title !== undefined;
}

function hasManifestSelector(s: ManifestSelector): boolean {
  return s.platform !== undefined || s.annotations !== undefined;
}

/**
 * Serves `oci://` URLs from OCI registries (stage `resolve`). Generic references
 * (`oci://registry/repo[:tag|@sha256:...]`, with `?title=`/`?mediaType=` to pick a layer and
 * `?platform=` to pick from an index) and rattler's conda mapping
 * (`oci://registry/channel/subdir/name-version-build.conda`, `.../repodata.json`) resolve to a
 * blob whose bytes are checked against their digest while they stream. The `/v2/` probe, the token
 * exchange, the manifest and blob requests all go through the inner chain, so `authorize` and
 * `send` plugins (auth, retry-after) see each of them.
 *
 * @example
 * const client = createClient({ middleware: [oci({ credentials: memoryStore })] });
 * const res = await client.request("oci://ghcr.io/org/artifacts/data:1.0?title=data.csv");
 * await pipeline(res.body, createWriteStream("data.csv")); // fails with DigestMismatchError on corrupt bytes
 */
export function oci(options: OciOptions = {}): Middleware {
  const {
    store,
    isInsecure,
    defaultLayer,
    defaultManifest,
    tokenCacheSize,
    defaultTokenLifetime,
    maxManifestBytes,
    maxRedirects,
    stateStore,
    sealKey,
    stateStoreTimeoutMs,
  } = resolveOciOptions(options);
  const shared =
    stateStore === undefined || sealKey === undefined
      ? undefined
      : new SharedTokens({ store: stateStore, sealKey, timeoutMs: stateStoreTimeoutMs, leaseMs: 10_000 });
  const auth = new RegistryAuth({ credentials: store, tokenCacheSize, defaultTokenLifetime, shared });
  const registry = registryRequests(auth, maxRedirects);

  async function fetchManifest(call: RegistryCall, reference: string, expected: string | undefined) {
    const { ref, origin } = call;
    const url = `${origin}/v2/${ref.repository}/manifests/${reference}`;
    const sent = await registry.send(call, url, "GET", baseHeaders(call.request, MANIFEST_ACCEPT));
    if (sent.res.status !== 200) return registry.fail(call, sent, "GET", "manifest", reference);
    const where = { method: "GET", url: redactUrl(sent.url), context: call.context };
    const bytes = await readLimited(sent.res, maxManifestBytes);
    if (bytes === undefined) {
      throw new OciManifestError(
        `the manifest of ${describeReference(ref)} is larger than ${maxManifestBytes} bytes`,
        where,
      );
    }
    if (expected !== undefined) {
      const actual = digestOf(bytes, expected);
      if (actual !== expected) {
        throw new DigestMismatchError(
          { expected, actual, reason: "digest", expectedSize: undefined, actualSize: bytes.length },
          where,
        );
      }
    }
    const parsed = parseManifest(bytes.toString("utf8"), sent.res.headers.get("content-type"));
    if (!parsed.ok) throw new OciManifestError(`${describeReference(ref)}: ${parsed.reason}`, where);
    return { document: parsed.document, where };
  }

  // Manifest (and index) to the layer's descriptor.
  async function resolveLayer(call: RegistryCall, start: string): Promise<Descriptor> {
    const { ref } = call;
    let reference = start;
    let expected = start.includes(":") ? start : undefined;
    const layerSelector = ref.form === "conda" || hasLayerSelector(ref.layer) ? ref.layer : defaultLayer;
    const manifestSelector = hasManifestSelector(ref.manifest) ? ref.manifest : defaultManifest;
    for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
      const { document, where } = await fetchManifest(call, reference, expected);
      if (document.kind === "manifest") {
        const chosen = selectLayer(document, layerSelector);
        if (chosen.ok) return chosen.descriptor;
        const message = `${describeReference(ref)}: ${chosen.message}`;
        if (chosen.reason === "ambiguous") throw new OciManifestError(message, where);
        throw new OciNotFoundError("layer", message, {
          ...where,
          repository: `${ref.registry}/${ref.repository}`,
          reference,
        });
      }
      const chosen = selectManifest(document, manifestSelector);
      if (!chosen.ok) {
        const message = `${describeReference(ref)}: ${chosen.message}`;
        if (chosen.reason === "ambiguous") throw new OciManifestError(message, where);
        throw new OciNotFoundError("manifest", message, {
          ...where,
          repository: `${ref.registry}/${ref.repository}`,
          reference,
        });
      }
      reference = chosen.descriptor.digest;
      expected = reference;
    }
    throw new OciManifestError(
      `${describeReference(ref)}: indexes nested more than ${MAX_INDEX_DEPTH} deep`,
      {
        context: call.context,
      },
    );
  }

  // The blob, or "missing" on 404 when the caller has a fallback.
  async function fetchBlob(
    call: RegistryCall,
    expected: ExpectedBlob,
    missingOk: boolean,
  ): Promise<HttpResponse | "missing"> {
    const { ref, origin, request } = call;
    const method = request.method;
    const url = `${origin}/v2/${ref.repository}/blobs/${expected.digest}`;
    const sent = await registry.send(call, url, method, request.headers.delete(...NOT_FORWARDED));
    const { res } = sent;
    if (res.status === 404 && missingOk) {
      await res.discard();
      return "missing";
    }
    if (res.status === 200) {
      const response = sent.redirected ? res.with({ redirected: true }) : res;
      if (method === "HEAD") return response;
      return response.with({
        body: verifyStream(res.body, expected, { method, url: redactUrl(sent.url), context: call.context }),
      });
    }
    // 206 (the caller's Range) and 304 (its conditionals) cannot be checked against the digest.
    if (res.status === 206 || res.status === 304) return res;
    return registry.fail(call, sent, method, "blob", expected.digest);
  }

  function publishResolve(call: RegistryCall, descriptor: ExpectedBlob, via: "digest" | "manifest"): void {
    if (!resolveChannel.hasSubscribers) return;
    publishScrubbed(resolveChannel, {
      registry: call.ref.registry,
      repository: call.ref.repository,
      reference: referenceOf(call.ref),
      digest: descriptor.digest,
      size: descriptor.size,
      via,
      context: call.context,
    });
  }

  async function resolve(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") {
      throw new OciReferenceError("oci: URLs serve GET and HEAD only; push with a registry client", {
        method,
        url: redactUrl(request.url),
      });
    }
    let ref: OciReference;
    try {
      ref = parseOciUrl(request.inputUrl);
    } catch (error) {
      if (error instanceof OciReferenceError) {
        throw new OciReferenceError(error.message, { method, url: redactUrl(request.url), cause: error });
      }
      throw error;
    }
    const origin = `${isInsecure(ref.registry) ? "http" : "https"}://${ref.registry}`;
    const explicit = request.headers.get("authorization");
    const call: RegistryCall = {
      request,
      next,
      context,
      ref,
      origin,
      explicit,
      target: { origin, registry: ref.registry, repository: ref.repository, request, next, context },
    };
    context.set(servedByKey, { kind: "registry", url: redactUrl(`${origin}/${ref.repository}`) });

    // A digest known up front (the URL's @digest with no layer selector, or rattler's
    // X-Expected-Sha256 on a conda URL) goes straight to the blob.
    const header = request.headers.get(EXPECTED_SHA256)?.trim().toLowerCase();
    if (header !== undefined && !/^[a-f0-9]{64}$/.test(header)) {
      throw new OciReferenceError(`${EXPECTED_SHA256} must be 64 hex digits`, {
        method,
        url: redactUrl(request.url),
      });
    }
    const expectedFromHeader = header === undefined ? undefined : `sha256:${header}`;
    const direct =
      expectedFromHeader ??
      (ref.digest !== undefined && !hasLayerSelector(ref.layer) && !hasManifestSelector(ref.manifest)
        ? ref.digest
        : undefined);
    if (direct !== undefined) {
      const blob = await fetchBlob(call, { digest: direct }, true);
      if (blob !== "missing") {
        publishResolve(call, { digest: direct }, "digest");
        return blob;
      }
    }
    let descriptor: Descriptor;
    try {
      descriptor = await resolveLayer(call, referenceOf(ref));
    } catch (error) {
      if (direct !== undefined && error instanceof OciNotFoundError && error.missing === "manifest") {
        throw new OciNotFoundError(
          "blob",
          `neither a blob nor a manifest ${direct} exists in ${ref.registry}/${ref.repository}`,
          {
            method,
            url: redactUrl(request.url),
            context,
            repository: `${ref.registry}/${ref.repository}`,
            reference: direct,
            registryErrors: error.registryErrors,
            cause: error,
          },
        );
      }
      throw error;
    }
    if (expectedFromHeader !== undefined && descriptor.digest !== expectedFromHeader) {
      throw new DigestMismatchError(
        {
          expected: expectedFromHeader,
          actual: descriptor.digest,
          reason: "digest",
          expectedSize: undefined,
          actualSize: descriptor.size,
        },
        { method, url: redactUrl(request.url), context },
      );
    }
    publishResolve(call, descriptor, "manifest");
    const blob = await fetchBlob(call, { digest: descriptor.digest, size: descriptor.size }, false);
    return blob as HttpResponse;
  }

  return {
    name: "oci",
    stage: "resolve",
    handle(request, next, context) {
      if (!request.url.startsWith("oci:")) return next(request);
      return resolve(request, next, context);
    },
  };
}
