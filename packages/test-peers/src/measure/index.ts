// Memory of a streamed transfer, measured in a child process of its own: the peak resident set
// growth of a run, and a body drained through a hash (nothing kept).

export { type DrainedBody, drainSha256 } from "./drain-sha256.ts";
export { type PeakRss, peakRssGrowth } from "./peak-rss.ts";
