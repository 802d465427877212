export type { FakeClock } from "./fake-clock.ts";
export { fakeClock } from "./fake-clock.ts";
