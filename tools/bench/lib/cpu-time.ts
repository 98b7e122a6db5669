/** Process CPU time (user + system, all threads) in milliseconds, as a tinybench `now`. */
export function cpuTimeMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
