// Saved timelines of an older schema: frames chain in the schema they were recorded in, and
// each snapshot handed out is migrated as it is read (decode: { migrations }).
import { addField, createPackedSnapshot, defineMigrations, encodeSnapshot, getColumn, type PackedSnapshot } from '@tx2/pack-format';
import { describe, expect, it } from 'vitest';
import { TimeTravel } from '../src/index.js';

const migrations = defineMigrations([{ from: 1, to: 2, migrate: addField('Pos', 'z', 'f32', 0) }]);

const tick = (t: number): PackedSnapshot => {
  const x = Float32Array.from({ length: 200 }, (_, i) => i);
  x[0] = t;
  return createPackedSnapshot({ timestamp: t, schemaVersion: 1, entities: Array.from({ length: 200 }, (_, i) => i), components: [{ id: 'Pos', fields: { x } }] });
};

describe('migrations on a timeline', () => {
  it('keyframes and delta frames of schema 1 are handed out migrated', () => {
    const tt = new TimeTravel({ decode: { migrations }, keyframes: { fullEvery: 4 } });
    for (let t = 0; t < 6; t++) tt.recordEncoded(t, encodeSnapshot(tick(t)));
    for (let t = 0; t < 6; t++) {
      const snapshot = tt.seekToTime(t)!.snapshot;
      expect(snapshot.schemaVersion).toBe(2);
      expect(getColumn(snapshot, 'Pos', 'x', 'f32')[0]).toBe(t);
      expect(getColumn(snapshot, 'Pos', 'z', 'f32')).toStrictEqual(new Float32Array(200));
    }
  });
});
