import { ComfyUiError } from '../errors';

const UNREACHABLE_HINT =
  'Start ComfyUI (e.g. `python main.py --listen 127.0.0.1 --port 8188`), check that COMFYUI_BASE_URL points at it ' +
  '(scheme, host, port and any proxy base path), and that no firewall or proxy blocks the connection.';

const TIMEOUT_HINT =
  'The request may still have been processed. Check that ComfyUI is running and responsive (a model load can block it), ' +
  'that COMFYUI_BASE_URL is right, or raise requestTimeoutMs.';

/**
 * Gives the error that ends a retried request its final message: how many attempts were made and,
 * for transport failures, how to fix them. Messages never contain header values.
 */
export function finalizeFailure(error: unknown, attempts: number): unknown {
  // Already finalized by an inner call (e.g. a status lookup inside a submit retry): keep its count.
  if (!(error instanceof ComfyUiError) || error.attempts !== undefined) return error;
  const tried = `tried ${attempts} time${attempts === 1 ? '' : 's'}`;
  let message: string;
  switch (error.code) {
    case 'COMFYUI_UNREACHABLE':
      message = `${error.message}; ${tried}. ${UNREACHABLE_HINT}`;
      break;
    case 'COMFYUI_TIMEOUT':
      message = `${error.message}; ${tried}. ${TIMEOUT_HINT}`;
      break;
    case 'COMFYUI_HTTP_ERROR':
      message = attempts > 1 ? `${error.message} (${tried})` : error.message;
      break;
    default:
      return error;
  }
  return new ComfyUiError(error.code, message, {
    cause: error.cause,
    method: error.method,
    url: error.url,
    status: error.status,
    bodyExcerpt: error.bodyExcerpt,
    attempts,
  });
}
