import type { ValueTransformer } from 'typeorm';

/** pg returns bigint as a string; our seeds are ≤ 2^53−1 so a JS number holds them exactly. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null || value === undefined ? null : Number(value)),
};
