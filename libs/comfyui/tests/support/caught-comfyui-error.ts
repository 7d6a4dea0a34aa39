import { ComfyUiError } from '../../src/errors';

/** The ComfyUiError a call fails with; any other outcome (success, another error) fails the test. */
export async function caught(promise: Promise<unknown>): Promise<ComfyUiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ComfyUiError) return error;
    throw error;
  }
  throw new Error('expected a ComfyUiError, but the call succeeded');
}
