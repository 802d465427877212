// Real worker processes for the multi-process (fleet) tests of the stateful plugins.
export { type Fleet, startFleet } from "./start-fleet.ts";
