import { InvalidArgumentError } from 'commander';

/** `--steps 30`: a whole number in range. */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) throw new InvalidArgumentError(`'${raw}' is not a whole number.`);
    if (value < min || value > max) throw new InvalidArgumentError(`${value} must be from ${min} to ${max}.`);
    return value;
  };
}

/** `--cfg 7.5`, `--timeout 300`: a number in range. */
export function numberOption(min: number, max = Number.MAX_VALUE) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`'${raw}' is not a number.`);
    if (value < min || value > max) throw new InvalidArgumentError(`${value} must be from ${min} to ${max}.`);
    return value;
  };
}

/** `--seed 1234` or `--seed random`. */
export function seedOption(raw: string): number | 'random' {
  if (raw.trim().toLowerCase() === 'random') return 'random';
  return intOption(0, Number.MAX_SAFE_INTEGER)(raw);
}
