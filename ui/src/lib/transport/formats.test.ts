import { describe, expect, it } from 'vitest';
import { COMPRESSIONS, FILE_ACCEPT, INPUT_FORMATS } from './types';

describe('the file input', () => {
  it("accepts every input format's extensions and MIME types, from the engine's list", () => {
    const accepted = FILE_ACCEPT.split(',');
    expect(INPUT_FORMATS.length).toBeGreaterThan(0);
    for (const f of INPUT_FORMATS) {
      for (const e of f.extensions) expect(accepted).toContain(`.${e}`);
      for (const m of f.mime_types) expect(accepted).toContain(m);
    }
    expect(accepted).toContain('.tab');
    for (const c of COMPRESSIONS) for (const e of c.extensions) expect(accepted).toContain(`.${e}`);
    expect(accepted).toContain('.gz');
  });
});
