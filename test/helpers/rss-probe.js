// Preloaded into a spawned CLI (NODE_OPTIONS=--require …): reports the process's peak RSS on stderr as it exits.
process.on('exit', () => process.stderr.write(`rss-probe: maxRSS ${process.resourceUsage().maxRSS} kB\n`));
