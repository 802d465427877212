export { isValidRequestId, MAX_REQUEST_ID_LENGTH } from "./is-valid-request-id.ts";
export type { RequestIdOptions } from "./request-id.ts";
export { REQUEST_ID_ASSIGNED_CHANNEL, requestId, requestIdKey } from "./request-id.ts";
export { isRequestIdError, RequestIdError } from "./request-id-error.ts";
