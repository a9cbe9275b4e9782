import type { Condition } from './wire.ts';

/**
 * A condition as the flags of `earshot render` / `earshot stream` / `earshot
 * embed` (src/cli/conditionOptions.ts): pasting them after a command renders
 * the same scene. Fields at their CLI default are still written, so the line
 * says the whole scene.
 */
export function conditionFlags(c: Condition): string {
  const flags: string[] = [`--snr ${c.snrDb}`];
  const room = c.room;
  if (room !== null && 'bank' in room) flags.push(`--rir ${quote(room.bank)}`);
  else if (room !== null) {
    flags.push(`--rt60 ${room.rt60S}`);
    if (room.dimensionsM) flags.push(`--room-size ${room.dimensionsM.join(',')}`);
    if (room.walls !== undefined) flags.push(`--walls ${typeof room.walls === 'string' ? quote(room.walls) : room.walls.join(',')}`);
    if (room.air !== undefined) flags.push(`--air ${room.air === null ? 'off' : `${room.air.temperatureC},${room.air.humidityPct}`}`);
  }
  flags.push(`--azimuth ${c.source.azimuthDeg}`, `--elevation ${c.source.elevationDeg}`, `--distance ${c.source.distanceM}`);
  const receiver = c.receiver;
  if (typeof receiver === 'object') flags.push(`--mics '${receiver.micsM.map((m) => m.join(',')).join(';')}'`);
  else if (receiver !== undefined) flags.push(`--receiver ${receiver}`);
  flags.push(`--noise ${c.noise.ids.map(quote).join(',')}`, `--noise-sources ${c.noise.sources}`, `--seed ${c.seed}`);
  if (c.snrMode !== undefined) flags.push(`--snr-mode ${c.snrMode}`);
  if (c.recipe !== undefined) flags.push(`--recipe ${c.recipe}`);
  return flags.join(' ');
}

/** The condition as pretty JSON: what `--condition FILE`, a stream config's `condition` and `PATCH /api/streams/:id/condition` take. */
export function conditionJson(c: Condition): string {
  return `${JSON.stringify(c, null, 2)}\n`;
}

// Bank ids are free text: quote any with shell-special characters.
function quote(s: string): string {
  return /^[\w.+-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
